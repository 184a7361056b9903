import { DurableObject } from "cloudflare:workers";
import { type CountRow, sumCountRows } from "../../../core";
import { migrate } from "../migrate";
import { STATS_MIGRATIONS } from "./migrations";

/** One queue message's counts for this object's experiment: its id makes counting it idempotent. */
export interface CountedMessage {
  id: string;
  rows: CountRow[];
}

/** How long a message's id is remembered: well past the queue's retention of a message (4 days). */
const REMEMBER_IDS_MS = 7 * 24 * 3600 * 1000;

/**
 * One experiment's counted enrolments and exposures (`idFromName(experiment)`), per UTC
 * day, config revision and variant. The queue consumer adds a batch's messages in one
 * call, each one SQLite transaction, so a batch counts whole or not at all; and each
 * message counts once, by its id, however often the queue delivers it.
 */
export class StatsObject extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, STATS_MIGRATIONS));
  }

  /** Counts the messages not counted before; returns how many that was. */
  add(messages: CountedMessage[]): number {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      const fresh = messages.filter(
        (message) =>
          sql.exec("INSERT INTO counted (id, at_ms) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", message.id, now)
            .rowsWritten > 0,
      );
      for (const row of sumCountRows(fresh.flatMap((message) => message.rows))) {
        sql.exec(
          `INSERT INTO counts (day, revision, variant, enrolled, exposures) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (day, revision, variant) DO UPDATE SET
             enrolled = enrolled + excluded.enrolled, exposures = exposures + excluded.exposures`,
          row.day,
          row.revision,
          row.variant,
          row.enrolled,
          row.exposures,
        );
      }
      sql.exec("DELETE FROM counted WHERE at_ms < ?", now - REMEMBER_IDS_MS);
      return fresh.length;
    });
  }

  /** Every count, by day, revision and variant. */
  counts(): CountRow[] {
    return this.ctx.storage.sql
      .exec<CountRow & Record<string, SqlStorageValue>>(
        "SELECT day, revision, variant, enrolled, exposures FROM counts ORDER BY day, revision, variant",
      )
      .toArray();
  }
}
