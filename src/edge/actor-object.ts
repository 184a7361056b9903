import { DurableObject } from "cloudflare:workers";
import {
  type ActorRecords,
  type Assignment,
  type AssignOutcome,
  type AssignRequest,
  nowSecs,
  resolveAtStore,
} from "../core";
import type { Env } from "./env";
import { type Migration, migrate } from "./migrations";

/** An assign request as it reaches the actor's object: with its group's siblings resolved at the edge. */
export interface ActorAssignRequest extends AssignRequest {
  siblings: string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    description: "sticky assignments and overrides of one actor",
    sql: `CREATE TABLE assignments (
            experiment TEXT PRIMARY KEY,
            variant TEXT NOT NULL,
            is_override INTEGER NOT NULL,
            assigned_at_secs INTEGER NOT NULL
          ) WITHOUT ROWID;
          CREATE TABLE overrides (
            experiment TEXT PRIMARY KEY,
            variant TEXT NOT NULL
          ) WITHOUT ROWID;`,
  },
];

/**
 * One actor's sticky assignments and overrides (`idFromName(actor)`).
 *
 * Why per actor: every rule that needs state — override, sticky, exclusion group,
 * first-writer-wins — is about one actor, so one object per actor serialises exactly
 * what must be serialised and nothing more. Each RPC method is synchronous SQL with no
 * `await`, so the object runs it to completion before the next request: the
 * equivalent of the reference's transaction under a per-actor advisory lock.
 */
export class ActorObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, MIGRATIONS));
  }

  /**
   * Rules 4–7 for each request, in order, in one transaction; returns what is persisted.
   * One call however many experiments: the batch route's single round trip.
   */
  assign(requests: ActorAssignRequest[]): AssignOutcome[] {
    return this.ctx.storage.transactionSync(() =>
      requests.map((request) => resolveAtStore(this.records(), request, request.siblings)),
    );
  }

  getAssignment(actor: string, experiment: string): Assignment | null {
    const row = this.sql
      .exec<{ variant: string; is_override: number; assigned_at_secs: number }>(
        "SELECT variant, is_override, assigned_at_secs FROM assignments WHERE experiment = ?",
        experiment,
      )
      .toArray()[0];
    if (row === undefined) return null;
    return {
      experiment,
      actor,
      variant: row.variant,
      is_override: row.is_override === 1,
      assigned_at_secs: row.assigned_at_secs,
    };
  }

  setOverride(experiment: string, variant: string): void {
    this.sql.exec(
      "INSERT INTO overrides (experiment, variant) VALUES (?, ?) ON CONFLICT (experiment) DO UPDATE SET variant = excluded.variant",
      experiment,
      variant,
    );
  }

  /** Removes the override and the sticky assignment it made; returns whether there was one. */
  removeOverride(experiment: string): boolean {
    return this.ctx.storage.transactionSync(() => {
      const removed = this.sql.exec("DELETE FROM overrides WHERE experiment = ?", experiment).rowsWritten > 0;
      this.sql.exec("DELETE FROM assignments WHERE experiment = ? AND is_override = 1", experiment);
      return removed;
    });
  }

  private records(): ActorRecords {
    const sql = this.sql;
    return {
      override: (experiment) =>
        sql.exec<{ variant: string }>("SELECT variant FROM overrides WHERE experiment = ?", experiment).toArray()[0]
          ?.variant ?? null,
      assignment: (experiment) => {
        const row = sql
          .exec<{ variant: string; is_override: number }>(
            "SELECT variant, is_override FROM assignments WHERE experiment = ?",
            experiment,
          )
          .toArray()[0];
        return row === undefined ? null : { variant: row.variant, is_override: row.is_override === 1 };
      },
      hasAssignmentIn: (experiments) =>
        experiments.length > 0 &&
        sql
          .exec(
            "SELECT 1 FROM assignments WHERE experiment IN (SELECT value FROM json_each(?)) LIMIT 1",
            JSON.stringify(experiments),
          )
          .toArray().length > 0,
      put: (experiment, variant, isOverride) => {
        sql.exec(
          `INSERT INTO assignments (experiment, variant, is_override, assigned_at_secs) VALUES (?, ?, ?, ?)
           ON CONFLICT (experiment) DO UPDATE SET variant = excluded.variant, is_override = excluded.is_override,
             assigned_at_secs = excluded.assigned_at_secs`,
          experiment,
          variant,
          isOverride ? 1 : 0,
          nowSecs(),
        );
      },
    };
  }
}
