import {
  type Attribution,
  attributeEvents,
  type MetricKey,
  type MetricListener,
  nowSecs,
  TRACKING_LIMITS,
  type TrackedEvent,
} from "../../../core";

/** One queue message's events of this actor. */
export interface TrackedMessage {
  /** The queue message's id: the unit the consumer counts, and retries, whole. */
  id: string;
  events: TrackedEvent[];
}

/** How long a message's attribution is kept for a redelivery: past the queue's retention (4 days). */
const REMEMBER_MESSAGES_MS = 7 * 24 * 3600 * 1000;

/**
 * The actor's side of metrics: its value y of each metric (which a `sum` event's delta
 * to Σy² depends on, and whether a conversion already happened), the event ids it has
 * seen, and the attribution of each queue message it was asked about.
 *
 * The consumer asks here first, then adds the deltas to the stats objects; if that
 * fails the queue delivers the message again, and this answers it with the deltas it
 * gave the first time (the totals moved then, and must not move twice). The stats
 * object, which remembers the message ids it counted, adds them once.
 */
export class MetricLedger {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  /**
   * Each message's attribution, in one transaction: remembered for a message seen
   * before, else computed from `enrolment` and the stored totals and ids, and saved.
   */
  attribute(
    messages: readonly TrackedMessage[],
    listeners: readonly MetricListener[],
    enrolment: (experiment: string) => { variant: string; assigned_at_secs: number } | null,
  ): Attribution[] {
    const now = Date.now();
    return this.storage.transactionSync(() => {
      const attributions = messages.map((message) => {
        const known = this.sql
          .exec<{ attribution: string }>("SELECT attribution FROM attributed WHERE message = ?", message.id)
          .toArray()[0];
        if (known !== undefined) return JSON.parse(known.attribution) as Attribution;
        const attribution = attributeEvents(message.events, listeners, {
          enrolment,
          firstSighting: (id) => this.firstSighting(id),
          total: (experiment, key) => this.total(experiment, key),
          setTotal: (experiment, key, total) => this.setTotal(experiment, key, total),
        });
        this.sql.exec(
          "INSERT INTO attributed (message, attribution, at_ms) VALUES (?, ?, ?)",
          message.id,
          JSON.stringify(attribution),
          now,
        );
        return attribution;
      });
      this.sql.exec("DELETE FROM attributed WHERE at_ms < ?", now - REMEMBER_MESSAGES_MS);
      this.sql.exec("DELETE FROM event_ids WHERE at_secs < ?", nowSecs() - TRACKING_LIMITS.rememberIdsSecs);
      return attributions;
    });
  }

  private firstSighting(id: string): boolean {
    return (
      this.sql.exec("INSERT INTO event_ids (id, at_secs) VALUES (?, ?) ON CONFLICT DO NOTHING", id, nowSecs())
        .rowsWritten > 0
    );
  }

  private total(experiment: string, { metric, kind, event }: MetricKey): number {
    const row = this.sql
      .exec<{ total: number }>(
        "SELECT total FROM metric_totals WHERE experiment = ? AND metric = ? AND kind = ? AND event = ?",
        experiment,
        metric,
        kind,
        event,
      )
      .toArray()[0];
    return row?.total ?? 0;
  }

  private setTotal(experiment: string, { metric, kind, event }: MetricKey, total: number): void {
    this.sql.exec(
      `INSERT INTO metric_totals (experiment, metric, kind, event, total) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (experiment, metric, kind, event) DO UPDATE SET total = excluded.total`,
      experiment,
      metric,
      kind,
      event,
      total,
    );
  }
}
