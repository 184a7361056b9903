import { utcDay } from "../../../core";
import type { StatsObject } from "../stats/stats-object";

/**
 * How long an enrolment waits for the queue to bring it before the alarm delivers it:
 * the isolate's window (at most 10 s) and the queue's batch delay, many times over.
 */
export const OUTBOX_GRACE_MS = 60_000;
/** After a failed delivery, the alarm tries again this much later. */
const RETRY_MS = 30_000;

type OutboxRow = { experiment: string; variant: string; revision: number; assigned_at_secs: number };

/**
 * An actor's enrolments, kept from the transaction that stores the assignment until
 * they are counted, so that `n`, which every mean divides by, is exact: the isolate's
 * event buffer and a local queue lose events when they stop, the outbox does not.
 *
 * Both ways to the stats object count an enrolment by one key, the actor object's id
 * (`enrolmentKey`), which the stats object remembers: so whichever comes first counts
 * it, and the other, or a repetition of either, does not. The usual way is the queue:
 * the consumer counts the enrolment's event with the rest of its batch, then confirms
 * it here, which empties the outbox. Whatever is still here `OUTBOX_GRACE_MS` after it
 * was recorded, the actor object's alarm (`nextDueMs`) has delivered itself.
 */
export class Outbox {
  private readonly sql: SqlStorage;
  /** After a failed delivery: when to try again. */
  private retryAt: number | null = null;

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

  /**
   * When the alarm must deliver: `OUTBOX_GRACE_MS` after the oldest enrolment, or the
   * retry's time after a failed delivery; `null` when the outbox is empty.
   */
  nextDueMs(): number | null {
    const first = this.sql
      .exec<{ first: number | null }>("SELECT MIN(assigned_at_secs) AS first FROM outbox")
      .one().first;
    if (first === null) return null;
    return this.retryAt ?? first * 1000 + OUTBOX_GRACE_MS;
  }

  /** The consumer counted these enrolments: they leave the outbox. */
  confirm(experiments: readonly string[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const experiment of experiments) this.sql.exec("DELETE FROM outbox WHERE experiment = ?", experiment);
    });
  }

  /**
   * The alarm: delivers every enrolment older than the grace period to its stats object
   * (under its key, so one the queue counted meanwhile is not counted again), and removes
   * each one delivered; the caller arms the alarm again for what is left (`nextDueMs`).
   */
  async deliverDue(): Promise<void> {
    const now = Date.now();
    const due = this.sql
      .exec<OutboxRow>(
        "SELECT experiment, variant, revision, assigned_at_secs FROM outbox WHERE assigned_at_secs * 1000 <= ?",
        now - OUTBOX_GRACE_MS,
      )
      .toArray();
    let failed = false;
    for (const row of due) {
      const enrolment = {
        key: this.ctx.id.toString(),
        day: utcDay(row.assigned_at_secs),
        revision: row.revision,
        variant: row.variant,
      };
      try {
        await this.env.STATS.get(this.env.STATS.idFromName(row.experiment)).add([], [enrolment]);
      } catch (error) {
        // It may have been counted all the same: the next delivery is then refused by its key.
        console.error("outbox: delivering an enrolment failed; the alarm tries again", error);
        failed = true;
        continue;
      }
      this.sql.exec(
        "DELETE FROM outbox WHERE experiment = ? AND assigned_at_secs = ?",
        row.experiment,
        row.assigned_at_secs,
      );
    }
    this.retryAt = failed ? now + RETRY_MS : null;
  }
}
