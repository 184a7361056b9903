import { utcDay } from "../../../core";
import type { StatsObject } from "../stats/stats-object";

/** A queue message's claim on one enrolment it carries. */
export interface Claim {
  /** The queue message's id: a redelivery claims again, and is granted again. */
  message: string;
  experiment: string;
}

/**
 * How long an enrolment waits for the queue to bring it before the alarm delivers it:
 * the isolate's window (at most 10 s) and the queue's batch delay, many times over.
 */
export const OUTBOX_GRACE_MS = 60_000;
/** How long a claim is remembered: well past the queue's retries of a message (10, a minute apart at most). */
const CLAIM_MEMORY_MS = 24 * 3600 * 1000;
/** After a failed delivery, the alarm tries again this much later. */
const RETRY_MS = 30_000;

type OutboxRow = { experiment: string; variant: string; revision: number; assigned_at_secs: number };

/**
 * An actor's enrolments, kept from the transaction that stores the assignment until
 * they are counted, so that `n`, which every mean divides by, is exact: the isolate's
 * event buffer and a local queue lose events when they stop, the outbox does not.
 *
 * Two ways out, each enrolment taking exactly one (the `claims` table decides):
 * 1. the queue's consumer claims it as it counts the enrolment event (the usual way,
 *    batched with everything else the queue brings);
 * 2. the alarm, `OUTBOX_GRACE_MS` after the enrolment, delivers what no message claimed
 *    straight to the experiment's stats object, under an id of its own, and then a
 *    late event for it is refused.
 */
export class Outbox {
  private readonly sql: SqlStorage;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: { STATS: DurableObjectNamespace<StatsObject> },
  ) {
    this.sql = ctx.storage.sql;
  }

  /** Records an enrolment; part of the caller's transaction. */
  add(experiment: string, variant: string, revision: number, assignedAtSecs: number): void {
    this.sql.exec(
      "INSERT INTO outbox (experiment, variant, revision, assigned_at_secs) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      experiment,
      variant,
      revision,
      assignedAtSecs,
    );
  }

  /** Arms the alarm for the enrolments just added (pushing it later is fine: it takes every due one). */
  deliverLater(): void {
    void this.ctx.storage.setAlarm(Date.now() + OUTBOX_GRACE_MS);
  }

  /**
   * Refuses `claim` only when its enrolment left the outbox another way (the alarm
   * delivered it); grants it when the enrolment waits here (it leaves now), when the
   * same message claimed it before, or when the outbox never held it: an assignment from
   * before the outbox, or none at all (`assigned`, the actor's sticky row). Part of the
   * caller's transaction.
   */
  claim(claim: Claim, assigned: { assigned_at_secs: number } | undefined): boolean {
    const { message, experiment } = claim;
    const again = this.sql.exec("SELECT 1 FROM claims WHERE message = ? AND experiment = ?", message, experiment);
    if (again.toArray().length > 0) return true;
    const waiting = this.sql.exec("DELETE FROM outbox WHERE experiment = ?", experiment).rowsWritten > 0;
    // Strictly before the migration's second: an assignment in that second may have a row.
    const neverHeld = assigned === undefined || assigned.assigned_at_secs < Math.floor(this.since() / 1000);
    if (!waiting && !neverHeld) return false;
    this.sql.exec("INSERT INTO claims (message, experiment, at_ms) VALUES (?, ?, ?)", message, experiment, Date.now());
    return true;
  }

  /**
   * The alarm: delivers every enrolment older than the grace period to its stats object
   * (one call per experiment, an id per actor and experiment, so a repeated delivery
   * counts once), forgets old claims, and re-arms for what is left.
   */
  async deliverDue(): Promise<void> {
    const now = Date.now();
    this.sql.exec("DELETE FROM claims WHERE at_ms < ?", now - CLAIM_MEMORY_MS);
    const due = this.sql
      .exec<OutboxRow>(
        "SELECT experiment, variant, revision, assigned_at_secs FROM outbox WHERE assigned_at_secs * 1000 <= ?",
        now - OUTBOX_GRACE_MS,
      )
      .toArray();
    let failed = false;
    for (const row of due) {
      const id = `outbox:${this.ctx.id.toString()}:${row.experiment}`;
      const count = {
        day: utcDay(row.assigned_at_secs),
        revision: row.revision,
        variant: row.variant,
        enrolled: 1,
        exposures: 0,
      };
      try {
        const stats = this.env.STATS.get(this.env.STATS.idFromName(row.experiment));
        await stats.add([{ id, rows: [count] }]);
      } catch (error) {
        console.error("outbox: delivering an enrolment failed; the alarm tries again", error);
        failed = true;
        continue;
      }
      // Claimed by the delivery itself: a queue event that arrives later is refused.
      this.ctx.storage.transactionSync(() => {
        this.sql.exec("DELETE FROM outbox WHERE experiment = ?", row.experiment);
        this.sql.exec("INSERT INTO claims (message, experiment, at_ms) VALUES (?, ?, ?)", id, row.experiment, now);
      });
    }
    const next = this.sql
      .exec<{ first: number | null }>("SELECT MIN(assigned_at_secs) AS first FROM outbox")
      .one().first;
    if (failed) await this.ctx.storage.setAlarm(now + RETRY_MS);
    else if (next !== null) await this.ctx.storage.setAlarm(Math.max(now, next * 1000 + OUTBOX_GRACE_MS));
  }

  /** When the outbox began (its migration ran): assignments before then have no row in it. */
  private since(): number {
    return this.sql.exec<{ at: number }>("SELECT applied_at_ms AS at FROM _migrations WHERE id = 4").one().at;
  }
}
