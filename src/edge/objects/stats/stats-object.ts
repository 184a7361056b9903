import { DurableObject } from "cloudflare:workers";
import type { CountRow } from "../../../core";
import { migrate } from "../migrate";
import { STATS_MIGRATIONS } from "./migrations";

/**
 * One experiment's counted enrolments and exposures (`idFromName(experiment)`), per UTC
 * day, config revision and variant. The queue consumer adds a batch's counts in one
 * call; each call is one SQLite transaction, so a batch counts whole or not at all.
 */
export class StatsObject extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, STATS_MIGRATIONS));
  }

  /** Adds `rows` to the counts. */
  add(rows: CountRow[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const row of rows) {
        this.ctx.storage.sql.exec(
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
