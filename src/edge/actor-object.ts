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

type Sticky = { variant: string; is_override: boolean; assigned_at_secs: number };

/**
 * One actor's sticky assignments and overrides (`idFromName(actor)`).
 *
 * Why per actor: every rule that needs state — override, sticky, exclusion group,
 * first-writer-wins — is about one actor, so one object per actor serialises exactly
 * what must be serialised and nothing more. Each RPC method is synchronous with no
 * `await`, so the object runs it to completion before the next request: the
 * equivalent of the reference's transaction under a per-actor advisory lock.
 *
 * An actor has a handful of rows, so they are read once, when the object starts, and
 * kept in memory. A call's writes are saved in one SQLite transaction before it
 * returns (and memory is re-read if that fails); a call that writes nothing, which is
 * every repeat visit, touches no SQLite at all.
 */
export class ActorObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private assignments = new Map<string, Sticky>();
  private overrides = new Map<string, string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, MIGRATIONS);
      this.load();
    });
  }

  /**
   * Rules 4–7 for each request, in order, in one transaction; returns what is persisted.
   * One call however many experiments: the batch route's single round trip.
   */
  assign(requests: ActorAssignRequest[]): AssignOutcome[] {
    const written = new Map<string, Sticky>();
    const outcomes = requests.map((request) => resolveAtStore(this.recordsWriting(written), request, request.siblings));
    // A repeat visitor writes nothing, and then touches no SQLite at all.
    if (written.size > 0) this.transaction(() => this.save(written));
    return outcomes;
  }

  getAssignment(actor: string, experiment: string): Assignment | null {
    const sticky = this.assignments.get(experiment);
    return sticky === undefined ? null : { experiment, actor, ...sticky };
  }

  setOverride(experiment: string, variant: string): void {
    this.transaction(() => {
      this.sql.exec(
        "INSERT INTO overrides (experiment, variant) VALUES (?, ?) ON CONFLICT (experiment) DO UPDATE SET variant = excluded.variant",
        experiment,
        variant,
      );
      this.overrides.set(experiment, variant);
    });
  }

  /** Removes the override and the sticky assignment it made; returns whether there was one. */
  removeOverride(experiment: string): boolean {
    return this.transaction(() => {
      const removed = this.sql.exec("DELETE FROM overrides WHERE experiment = ?", experiment).rowsWritten > 0;
      this.sql.exec("DELETE FROM assignments WHERE experiment = ? AND is_override = 1", experiment);
      this.overrides.delete(experiment);
      if (this.assignments.get(experiment)?.is_override) this.assignments.delete(experiment);
      return removed;
    });
  }

  /**
   * The rules' view of this actor, from memory. Writes land in memory at once (a later
   * experiment of the same batch must see them, for exclusion) and are collected in
   * `written` to be saved together.
   */
  private recordsWriting(written: Map<string, Sticky>): ActorRecords {
    return {
      override: (experiment) => this.overrides.get(experiment) ?? null,
      assignment: (experiment) => this.assignments.get(experiment) ?? null,
      hasAssignmentIn: (experiments) => experiments.some((experiment) => this.assignments.has(experiment)),
      put: (experiment, variant, isOverride) => {
        const sticky = { variant, is_override: isOverride, assigned_at_secs: nowSecs() };
        this.assignments.set(experiment, sticky);
        written.set(experiment, sticky);
      },
    };
  }

  private save(written: Map<string, Sticky>): void {
    for (const [experiment, sticky] of written) {
      this.sql.exec(
        `INSERT INTO assignments (experiment, variant, is_override, assigned_at_secs) VALUES (?, ?, ?, ?)
         ON CONFLICT (experiment) DO UPDATE SET variant = excluded.variant, is_override = excluded.is_override,
           assigned_at_secs = excluded.assigned_at_secs`,
        experiment,
        sticky.variant,
        sticky.is_override ? 1 : 0,
        sticky.assigned_at_secs,
      );
    }
  }

  /** Runs `body` in one SQLite transaction; if it fails, memory is re-read to match what was rolled back. */
  private transaction<T>(body: () => T): T {
    try {
      return this.ctx.storage.transactionSync(body);
    } catch (error) {
      this.load();
      throw error;
    }
  }

  private load(): void {
    this.assignments = new Map(
      this.sql
        .exec<{ experiment: string; variant: string; is_override: number; assigned_at_secs: number }>(
          "SELECT experiment, variant, is_override, assigned_at_secs FROM assignments",
        )
        .toArray()
        .map((r) => [
          r.experiment,
          { variant: r.variant, is_override: r.is_override === 1, assigned_at_secs: r.assigned_at_secs },
        ]),
    );
    this.overrides = new Map(
      this.sql
        .exec<{ experiment: string; variant: string }>("SELECT experiment, variant FROM overrides")
        .toArray()
        .map((r) => [r.experiment, r.variant]),
    );
  }
}
