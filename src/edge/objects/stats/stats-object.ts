import { DurableObject } from "cloudflare:workers";
import { type CountRow, type MetricKind, type MetricSumRow, sumCountRows, type UnattributedRow } from "../../../core";
import { migrate } from "../migrate";
import { STATS_MIGRATIONS } from "./migrations";

/** One queue message's counts for this object's experiment: its id makes counting it idempotent. */
export interface CountedMessage {
  id: string;
  rows: CountRow[];
  /** Its tracked events' deltas to the metric sums, as the actors' objects attributed them. */
  metrics?: MetricSumRow[];
  unattributed?: UnattributedRow[];
}

/** Everything the results read, in one call. */
export interface StatsReading {
  counts: CountRow[];
  metrics: MetricSumRow[];
  unattributed: UnattributedRow[];
  /** What has been told of the experiment, by kind, and when (ms): `srm.checked`, `srm.mismatch`. */
  notices: Record<string, number>;
}

/**
 * One enrolment to count: `key` is its actor object's id, the same from the queue's
 * consumer and from the outbox's alarm, so the enrolment counts once whichever brings it.
 */
export interface Enrolment {
  key: string;
  day: string;
  revision: number;
  variant: string;
}

/**
 * How long a message's id, and an enrolment's key, is remembered: well past the queue's
 * retention of a message (4 days) and the outbox's redeliveries (minutes).
 */
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

  /**
   * Counts the messages not counted before (their exposures, by message id) and the
   * enrolments not counted before (by key), in one transaction; returns how many
   * messages were new.
   */
  add(messages: CountedMessage[], enrolments: Enrolment[] = []): number {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    return this.ctx.storage.transactionSync(() => {
      const fresh = messages.filter(
        (message) =>
          sql.exec("INSERT INTO counted (id, at_ms) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", message.id, now)
            .rowsWritten > 0,
      );
      const enrolled = enrolments
        .filter(
          (enrolment) =>
            sql.exec("INSERT INTO enrolled (key, at_ms) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", enrolment.key, now)
              .rowsWritten > 0,
        )
        .map(({ day, revision, variant }) => ({ day, revision, variant, enrolled: 1, exposures: 0 }));
      for (const message of fresh) this.addMetrics(message);
      for (const row of sumCountRows([...fresh.flatMap((message) => message.rows), ...enrolled])) {
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
      sql.exec("DELETE FROM enrolled WHERE at_ms < ?", now - REMEMBER_IDS_MS);
      return fresh.length;
    });
  }

  /**
   * `add`, then `read`, in one call: what the consumer asks of an experiment whose
   * guardrails it checks after every batch.
   */
  addAndRead(messages: CountedMessage[], enrolments: Enrolment[] = []): StatsReading {
    this.add(messages, enrolments);
    return this.read();
  }

  /** Every count, by day, revision and variant; every metric's sums, by variant; the unattributed events. */
  read(): StatsReading {
    const sql = this.ctx.storage.sql;
    return {
      counts: sql
        .exec<CountRow & Record<string, SqlStorageValue>>(
          "SELECT day, revision, variant, enrolled, exposures FROM counts ORDER BY day, revision, variant",
        )
        .toArray(),
      metrics: sql
        .exec<MetricSumRow & { kind: MetricKind } & Record<string, SqlStorageValue>>(
          "SELECT metric, kind, event, variant, sum, sum_squares FROM metric_sums",
        )
        .toArray(),
      unattributed: sql
        .exec<UnattributedRow & { kind: MetricKind } & Record<string, SqlStorageValue>>(
          "SELECT metric, kind, event, events FROM metric_unattributed",
        )
        .toArray(),
      notices: Object.fromEntries(
        sql
          .exec<{ kind: string; at_ms: number }>("SELECT kind, at_ms FROM notices")
          .toArray()
          .map(({ kind, at_ms }) => [kind, at_ms]),
      ),
    };
  }

  /**
   * Records a notice: `once` keeps the first time (and answers whether this was it),
   * otherwise the time is replaced (a "last checked" mark).
   */
  notice(kind: string, once: boolean): boolean {
    const sql = this.ctx.storage.sql;
    const conflict = once ? "DO NOTHING" : "DO UPDATE SET at_ms = excluded.at_ms";
    return (
      sql.exec(`INSERT INTO notices (kind, at_ms) VALUES (?, ?) ON CONFLICT (kind) ${conflict}`, kind, Date.now())
        .rowsWritten > 0
    );
  }

  /** A message's metric deltas and unattributed events; part of `add`'s transaction. */
  private addMetrics(message: CountedMessage): void {
    const sql = this.ctx.storage.sql;
    for (const row of message.metrics ?? []) {
      sql.exec(
        `INSERT INTO metric_sums (metric, kind, event, variant, sum, sum_squares) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (metric, kind, event, variant) DO UPDATE SET
           sum = sum + excluded.sum, sum_squares = sum_squares + excluded.sum_squares`,
        row.metric,
        row.kind,
        row.event,
        row.variant,
        row.sum,
        row.sum_squares,
      );
    }
    for (const row of message.unattributed ?? []) {
      sql.exec(
        `INSERT INTO metric_unattributed (metric, kind, event, events) VALUES (?, ?, ?, ?)
         ON CONFLICT (metric, kind, event) DO UPDATE SET events = events + excluded.events`,
        row.metric,
        row.kind,
        row.event,
        row.events,
      );
    }
  }
}
