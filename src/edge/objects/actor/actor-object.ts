import { DurableObject } from "cloudflare:workers";
import {
  type ActorRecords,
  type Assignment,
  type AssignOutcome,
  type AssignRequest,
  type Attribution,
  ExperimentError,
  HOLDOUT_KEY_PREFIX,
  type HoldoutArm,
  holdoutKey,
  lookupAssignment,
  type MetricListener,
  nowSecs,
  resolveAtStore,
} from "../../../core";
import { migrate } from "../migrate";
import type { StatsObject } from "../stats/stats-object";
import { MetricLedger, type TrackedMessage } from "./ledger";
import { ACTOR_MIGRATIONS } from "./migrations";
import { Outbox } from "./outbox";
import { expiredAssignments, retentionDays, SWEEP_EVERY_MS } from "./retention";

/**
 * An assign request as it reaches the actor's object: with its group's siblings resolved
 * at the edge, and the config revision an enrolment is counted under.
 */
export interface ActorAssignRequest extends AssignRequest {
  siblings: string[];
  /** Absent from a Worker of an older version (during a deploy): revision 1. */
  revision?: number;
}

/** What the actor object binds: the stats objects its outbox delivers to, and the configs retention reads. */
interface ActorEnv {
  STATS: DurableObjectNamespace<StatsObject>;
  CONFIG: KVNamespace;
  /** Days a concluded experiment's assignments are kept (default 400). */
  ACTOR_RETENTION_DAYS?: string;
}

/** `group`: the experiment's exclusion group when the row was written (null before migration 3, or none). */
type Sticky = { variant: string; is_override: boolean; assigned_at_secs: number; group: string | null };
type Override = { variant: string; set_at_secs: number; answered: boolean; group: string | null };

type HoldoutArmRow = { arm: HoldoutArm; joined_at_secs: number };

/** What one `assign` call changed, saved together in one transaction (with each enrolment's revision). */
type Writes = {
  assignments: Map<string, Sticky & { revision: number }>;
  answered: Set<string>;
  holdouts: Map<string, HoldoutArmRow>;
};

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
export class ActorObject extends DurableObject<ActorEnv> {
  private readonly sql: SqlStorage;
  private readonly outbox: Outbox;
  private readonly ledger: MetricLedger;
  /** Sticky assignments that bucketing made. */
  private assignments = new Map<string, Sticky>();
  /** Overrides: they shadow `assignments`, never replace them. */
  private overrides = new Map<string, Override>();
  /** The arm of each holdout the actor has met, by holdout. */
  private holdoutArms = new Map<string, HoldoutArmRow>();
  /** The alarm this instance set (ms), so that a later wish does not postpone it; null when unknown. */
  private armedAt: number | null = null;
  /** When retention next looks at the rows (ms); null until rows exist. */
  private sweepAt: number | null = null;
  /** The storage was deleted (nothing left to keep): the tables are made again on the next write. */
  private emptied = false;

  constructor(ctx: DurableObjectState, env: ActorEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.outbox = new Outbox(ctx, env);
    this.ledger = new MetricLedger(ctx.storage);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, ACTOR_MIGRATIONS);
      this.load();
    });
  }

  /**
   * Rules 4–8 for each request, in order, in one transaction; returns what is persisted.
   * One call however many experiments: the batch route's single round trip.
   */
  assign(requests: ActorAssignRequest[]): AssignOutcome[] {
    const writes: Writes = { assignments: new Map(), answered: new Set(), holdouts: new Map() };
    const outcomes = requests.map((request) =>
      resolveAtStore(this.recordsWriting(writes, request.revision ?? 1), request, request.siblings),
    );
    // A repeat visitor writes nothing, and then touches no SQLite at all.
    if (writes.assignments.size === 0 && writes.answered.size === 0 && writes.holdouts.size === 0) return outcomes;
    try {
      this.ready();
      this.transaction(() => this.save(writes));
      if (writes.assignments.size > 0 || writes.holdouts.size > 0) this.arm(false);
    } catch (error) {
      // Nothing was saved, and memory is back to what SQLite holds. The failure is
      // answered, not thrown: every experiment of the call is store_unavailable (a 503
      // with Retry-After), and a thrown error would cross RPC without its code.
      console.error("actor object could not save its assignments", error);
      const unavailable = ExperimentError.storeUnavailable("the assignment could not be stored; retry").failure;
      return requests.map(() => ({ ok: false, error: unavailable }));
    }
    return outcomes;
  }

  /** What a lookup shows: the override while it exists, else the sticky assignment. */
  getAssignment(actor: string, experiment: string): Assignment | null {
    return lookupAssignment(experiment, actor, this.overrides.get(experiment), this.assignments.get(experiment));
  }

  /** Sets or replaces the override; the sticky assignment beneath it is left alone. */
  setOverride(experiment: string, variant: string): void {
    const before = this.overrides.get(experiment);
    this.ready();
    const override = {
      variant,
      set_at_secs: nowSecs(),
      answered: before?.answered ?? false,
      group: before?.group ?? null,
    };
    this.transaction(() => {
      this.sql.exec(
        `INSERT INTO overrides (experiment, variant, set_at_secs, answered) VALUES (?, ?, ?, ?)
         ON CONFLICT (experiment) DO UPDATE SET variant = excluded.variant, set_at_secs = excluded.set_at_secs`,
        experiment,
        variant,
        override.set_at_secs,
        override.answered ? 1 : 0,
      );
      this.overrides.set(experiment, override);
    });
  }

  /** The queue's consumer counted this actor's enrolments in `experiments`: the outbox lets them go. */
  confirmEnrolments(experiments: string[]): void {
    if (this.emptied) return; // nothing left to let go
    this.outbox.confirm(experiments);
  }

  /**
   * Attributes this actor's tracked events, per queue message, to the metrics of running
   * experiments that listen to them (`attributeEvents`): an experiment counts them while
   * the actor has a stored assignment in it that no override shadows.
   */
  attribute(messages: TrackedMessage[], listeners: MetricListener[]): Attribution[] {
    this.ready();
    return this.ledger.attribute(messages, listeners, (key) => {
      // A holdout's metrics count by its arm (`holdoutKey`); no experiment name has the prefix's ':'.
      if (key.startsWith(HOLDOUT_KEY_PREFIX)) {
        const row = this.holdoutArms.get(key.slice(HOLDOUT_KEY_PREFIX.length));
        return row === undefined ? null : { variant: row.arm, assigned_at_secs: row.joined_at_secs };
      }
      return this.overrides.has(key) ? null : (this.assignments.get(key) ?? null);
    });
  }

  /**
   * Delivers the enrolments the queue did not bring within the grace period (`Outbox`),
   * then, when due, lets go of the rows retention no longer keeps; then arms itself for
   * whichever comes next. It awaits other objects and KV, so the RPC methods may run
   * meanwhile: each enrolment counts once by its key, whichever way reaches the stats
   * object first, and retention re-checks what it drops after reading the configs.
   */
  override async alarm(): Promise<void> {
    this.armedAt = null;
    if (this.emptied) return;
    await this.outbox.deliverDue();
    if (this.sweepAt === null || Date.now() >= this.sweepAt) {
      this.sweepAt = null;
      await this.sweep();
    }
    if (!this.emptied) this.arm(true);
  }

  /**
   * Retention: drops the assignments of archived experiments and those of concluded
   * experiments older than `ACTOR_RETENTION_DAYS` (with their metric totals and unsent
   * enrolments); an object with nothing left deletes its storage.
   */
  private async sweep(): Promise<void> {
    const expired = await expiredAssignments(
      this.env.CONFIG,
      this.assignments,
      retentionDays(this.env.ACTOR_RETENTION_DAYS),
    );
    if (expired === null) return;
    this.transaction(() => {
      for (const experiment of expired) {
        this.sql.exec("DELETE FROM assignments WHERE experiment = ?", experiment);
        this.sql.exec("DELETE FROM metric_totals WHERE experiment = ?", experiment);
        this.sql.exec("DELETE FROM outbox WHERE experiment = ?", experiment);
        this.assignments.delete(experiment);
      }
    });
    const left = this.sql
      .exec<{ n: number }>(
        `SELECT (SELECT COUNT(*) FROM assignments) + (SELECT COUNT(*) FROM overrides)
              + (SELECT COUNT(*) FROM holdout_arms) + (SELECT COUNT(*) FROM outbox) AS n`,
      )
      .one().n;
    if (left === 0) await this.emptyStorage();
  }

  /**
   * Arms the alarm for the earliest of the outbox's delivery and, while rows exist, the
   * next retention sweep (`SWEEP_EVERY_MS` from the first wish). Not awaited by the
   * synchronous RPC methods: the storage orders the write before their answer leaves.
   * @param replace set the time even if this instance armed an earlier one (the alarm just ran)
   */
  private arm(replace: boolean): void {
    const times: number[] = [];
    const outbox = this.outbox.nextDueMs();
    if (outbox !== null) times.push(outbox);
    if (this.assignments.size > 0 || this.holdoutArms.size > 0) {
      this.sweepAt ??= Date.now() + SWEEP_EVERY_MS;
      times.push(this.sweepAt);
    }
    if (times.length === 0) return;
    const next = Math.min(...times);
    if (!replace && this.armedAt !== null && this.armedAt <= next) return;
    this.armedAt = next;
    void this.ctx.storage.setAlarm(next);
  }

  /** Deletes every row and the alarm; the tables come back with the next write (`ready`). */
  private async emptyStorage(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.assignments = new Map();
    this.overrides = new Map();
    this.holdoutArms = new Map();
    this.armedAt = null;
    this.sweepAt = null;
    this.emptied = true;
  }

  /** The tables, made again after the storage was deleted. */
  private ready(): void {
    if (!this.emptied) return;
    migrate(this.ctx.storage, ACTOR_MIGRATIONS);
    this.emptied = false;
  }

  /**
   * Erases everything this object holds about its actor: assignments, overrides, holdout
   * arms, metric totals, event ids, message attributions and the outbox (enrolments not
   * yet counted stay uncounted), then starts again empty.
   * @returns the experiments the actor had an assignment or override in
   */
  async erase(): Promise<string[]> {
    const experiments = [...new Set([...this.assignments.keys(), ...this.overrides.keys()])].sort();
    await this.emptyStorage();
    return experiments;
  }

  /** Removes the override, uncovering the sticky assignment if there is one; returns whether there was an override. */
  removeOverride(experiment: string): boolean {
    this.ready();
    return this.transaction(() => {
      const removed = this.sql.exec("DELETE FROM overrides WHERE experiment = ?", experiment).rowsWritten > 0;
      this.overrides.delete(experiment);
      return removed;
    });
  }

  /**
   * The rules' view of this actor, from memory. Writes land in memory at once (a later
   * experiment of the same batch must see them, for exclusion) and are collected in
   * `writes` to be saved together.
   */
  private recordsWriting(writes: Writes, revision: number): ActorRecords {
    return {
      override: (experiment) => this.overrides.get(experiment)?.variant ?? null,
      assignment: (experiment) => this.assignments.get(experiment) ?? null,
      // By the group each row recorded (a group is fixed once its experiment has run, so
      // it stays true), which finds an experiment that joined the group after the
      // caller's snapshot was taken; and by the caller's siblings, for older rows.
      inGroup: (experiment, group, siblings) => {
        for (const [other, sticky] of this.assignments) {
          if (other !== experiment && (sticky.group === group || siblings.includes(other))) return true;
        }
        for (const [other, override] of this.overrides) {
          if (other !== experiment && override.answered && (override.group === group || siblings.includes(other))) {
            return true;
          }
        }
        return false;
      },
      put: (experiment, variant, group) => {
        const sticky = { variant, is_override: false, assigned_at_secs: nowSecs(), group };
        this.assignments.set(experiment, sticky);
        writes.assignments.set(experiment, { ...sticky, revision });
      },
      joinHoldout: (holdout, arm) => {
        if (this.holdoutArms.has(holdout)) return;
        const row = { arm, joined_at_secs: nowSecs() };
        this.holdoutArms.set(holdout, row);
        writes.holdouts.set(holdout, row);
      },
      markOverrideAnswered: (experiment, group) => {
        const override = this.overrides.get(experiment);
        if (override === undefined || override.answered) return;
        override.answered = true;
        override.group = group;
        writes.answered.add(experiment);
      },
    };
  }

  private save(writes: Writes): void {
    for (const [experiment, sticky] of writes.assignments) {
      this.sql.exec(
        `INSERT INTO assignments (experiment, variant, is_override, assigned_at_secs, exclusion_group)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (experiment) DO UPDATE SET variant = excluded.variant, is_override = excluded.is_override,
           assigned_at_secs = excluded.assigned_at_secs, exclusion_group = excluded.exclusion_group`,
        experiment,
        sticky.variant,
        sticky.is_override ? 1 : 0,
        sticky.assigned_at_secs,
        sticky.group,
      );
      // The enrolment, in the same transaction: stored means counted (`Outbox`).
      this.outbox.add(experiment, sticky.variant, sticky.revision, sticky.assigned_at_secs);
    }
    for (const [holdout, { arm, joined_at_secs }] of writes.holdouts) {
      this.sql.exec(
        "INSERT INTO holdout_arms (holdout, arm, joined_at_secs) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        holdout,
        arm,
        joined_at_secs,
      );
      // Counted like an enrolment, under the holdout's key, by the outbox alone (about a minute later).
      this.outbox.add(holdoutKey(holdout), arm, 1, joined_at_secs);
    }
    for (const experiment of writes.answered) {
      const group = this.overrides.get(experiment)?.group ?? null;
      this.sql.exec("UPDATE overrides SET answered = 1, exclusion_group = ? WHERE experiment = ?", group, experiment);
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
    this.holdoutArms = new Map(
      this.sql
        .exec<{ holdout: string; arm: HoldoutArm; joined_at_secs: number }>(
          "SELECT holdout, arm, joined_at_secs FROM holdout_arms",
        )
        .toArray()
        .map((r) => [r.holdout, { arm: r.arm, joined_at_secs: r.joined_at_secs }]),
    );
    this.assignments = new Map(
      this.sql
        .exec<{
          experiment: string;
          variant: string;
          is_override: number;
          assigned_at_secs: number;
          exclusion_group: string | null;
        }>("SELECT experiment, variant, is_override, assigned_at_secs, exclusion_group FROM assignments")
        .toArray()
        .map((r) => [
          r.experiment,
          {
            variant: r.variant,
            is_override: r.is_override === 1,
            assigned_at_secs: r.assigned_at_secs,
            group: r.exclusion_group,
          },
        ]),
    );
    this.overrides = new Map(
      this.sql
        .exec<{
          experiment: string;
          variant: string;
          set_at_secs: number;
          answered: number;
          exclusion_group: string | null;
        }>("SELECT experiment, variant, set_at_secs, answered, exclusion_group FROM overrides")
        .toArray()
        .map((r) => [
          r.experiment,
          { variant: r.variant, set_at_secs: r.set_at_secs, answered: r.answered === 1, group: r.exclusion_group },
        ]),
    );
  }
}
