import { DurableObject } from "cloudflare:workers";
import type { CountRow } from "../../../core";
import { migrate } from "../migrate";
import { STATS_MIGRATIONS } from "./migrations";

/** One event to count, as the queue consumer hands it over: its message id makes counting it idempotent. */
export interface CountedEvent {
  id: string;
  kind: "exposure" | "enrolment";
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  revision: number;
  variant: string;
}

/** How long an event's id is remembered: well past the queue's retention of a message (4 days). */
const REMEMBER_IDS_MS = 7 * 24 * 3600 * 1000;

/**
 * One experiment's counted enrolments and exposures (`idFromName(experiment)`), per UTC
 * day, config revision and variant. The queue consumer adds a batch's events in one
 * call, each one SQLite transaction, so a batch counts whole or not at all; and each
 * event counts once, by its message id, however often the queue delivers it.
 */
export class StatsObject extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, STATS_MIGRATIONS));
  }

  /** Counts the events not counted before; returns how many that was. */
  add(events: CountedEvent[]): number {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      const fresh = events.filter(
        (event) =>
          sql.exec("INSERT INTO counted (id, at_ms) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", event.id, now)
            .rowsWritten > 0,
      );
      for (const row of countRows(fresh)) {
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

/** Events as counts per UTC day, revision and variant. */
function countRows(events: readonly CountedEvent[]): CountRow[] {
  const rows = new Map<string, CountRow>();
  for (const event of events) {
    const key = `${event.day}\u0000${event.revision}\u0000${event.variant}`;
    const row = rows.get(key) ?? {
      day: event.day,
      revision: event.revision,
      variant: event.variant,
      enrolled: 0,
      exposures: 0,
    };
    if (event.kind === "enrolment") row.enrolled++;
    else row.exposures++;
    rows.set(key, row);
  }
  return [...rows.values()];
}
