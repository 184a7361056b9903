import type { MetricKind } from "./types";

/**
 * Attribution: which of an actor's tracked events count for which experiment's metric,
 * and by how much they move that metric's sums. Pure: the actor's Durable Object holds
 * the state (its enrolments, its per-metric totals, the event ids it has seen) and
 * saves what this returns; the stats object adds the deltas. docs/STATISTICS.md states
 * the contract in prose.
 */

/** The limits of `POST /v1/track` and of attribution. */
export const TRACKING_LIMITS = {
  /** Events in one request (of one actor). */
  maxEvents: 100,
  /** Characters of an event's `id`. */
  maxEventIdChars: 128,
  /** |value| of one event: far above any count or amount, far below where Σy² loses all precision. */
  maxAbsValue: 1e12,
  /** How far back an event's `timestamp_secs` may lie. */
  maxAgeSecs: 7 * 24 * 3600,
  /** How far ahead of the Worker's clock it may lie (clocks differ). */
  maxAheadSecs: 5 * 60,
  /** How long an actor remembers an event id: the same `(actor, id)` counts once within it. */
  rememberIdsSecs: 8 * 24 * 3600,
} as const;

/** One tracked event, as the actor's object receives it. */
export interface TrackedEvent {
  event: string;
  /** 1 unless the caller gave one; a conversion ignores it. */
  value: number;
  /** The caller's de-duplication id, if any. */
  id: string | null;
  timestamp_secs: number;
}

/** One metric of a running experiment, as the events name it. */
export interface MetricListener {
  experiment: string;
  metric: string;
  event: string;
  kind: MetricKind;
}

/**
 * A metric's identity in the sums: its name, kind and event. Changing a metric's kind or
 * event starts its sums afresh (as a new metric would), rather than mixing two measures.
 */
export interface MetricKey {
  metric: string;
  kind: MetricKind;
  event: string;
}

/** One variant's sums of one metric within an experiment: Σy and Σy² over its actors (or how events move them). */
export interface MetricSumRow extends MetricKey {
  variant: string;
  sum: number;
  sum_squares: number;
}

/** Events a metric listens to that did not count for its experiment (actor not enrolled, too early, overridden). */
export interface UnattributedRow extends MetricKey {
  events: number;
}

/** How one message's events move one variant's sums of one metric. */
export interface MetricDelta extends MetricSumRow {
  experiment: string;
}

export interface UnattributedCount extends UnattributedRow {
  experiment: string;
}

export interface Attribution {
  deltas: MetricDelta[];
  unattributed: UnattributedCount[];
}

/** What attribution reads and writes of one actor's state. */
export interface ActorMetricState {
  /** The actor's stored, non-override assignment in `experiment`, or null (none, or an override shadows it). */
  enrolment(experiment: string): { variant: string; assigned_at_secs: number } | null;
  /** Whether this event id was counted before; marks it counted. */
  firstSighting(id: string): boolean;
  /** The actor's value y of a metric so far (0 before any event). */
  total(experiment: string, key: MetricKey): number;
  setTotal(experiment: string, key: MetricKey, total: number): void;
}

/**
 * Attributes one actor's events to the metrics listening to them. An event counts for
 * experiment E's metric M when M listens to its name, the actor is enrolled in E (a
 * stored assignment no override shadows) and the event is not older than the
 * enrolment. With y the actor's value so far, a `sum` event of value δ adds δ to Σy and
 * 2yδ + δ² to Σy² (exactly what replacing y² by (y + δ)² adds); a `conversion` moves
 * only on the actor's first event (y from 0 to 1). An event whose id was seen before
 * counts nowhere, not even as unattributed.
 *
 * @example
 * // enrolled in checkout_v2 as treatment at t=100, a `sum` metric `revenue` listening to `purchase`:
 * attributeEvents([{ event: "purchase", value: 30, id: null, timestamp_secs: 200 }], listeners, state);
 * // { deltas: [{ experiment: "checkout_v2", metric: "revenue", variant: "treatment", sum: 30, sum_squares: 900, … }], unattributed: [] }
 */
export function attributeEvents(
  events: readonly TrackedEvent[],
  listeners: readonly MetricListener[],
  state: ActorMetricState,
): Attribution {
  const deltas = new Map<string, MetricDelta>();
  const unattributed = new Map<string, UnattributedCount>();
  for (const event of events) {
    if (event.id !== null && !state.firstSighting(event.id)) continue;
    for (const listener of listeners) {
      if (listener.event !== event.event) continue;
      const key: MetricKey = { metric: listener.metric, kind: listener.kind, event: listener.event };
      const enrolment = state.enrolment(listener.experiment);
      if (enrolment === null || event.timestamp_secs < enrolment.assigned_at_secs) {
        const id = keyOf(listener.experiment, key, "");
        const count = unattributed.get(id) ?? { experiment: listener.experiment, ...key, events: 0 };
        count.events += 1;
        unattributed.set(id, count);
        continue;
      }
      const y = state.total(listener.experiment, key);
      const step = listener.kind === "conversion" ? (y === 0 ? 1 : 0) : event.value;
      if (step === 0) continue;
      state.setTotal(listener.experiment, key, y + step);
      const id = keyOf(listener.experiment, key, enrolment.variant);
      const delta = deltas.get(id) ?? {
        experiment: listener.experiment,
        ...key,
        variant: enrolment.variant,
        sum: 0,
        sum_squares: 0,
      };
      delta.sum += step;
      delta.sum_squares += 2 * y * step + step * step;
      deltas.set(id, delta);
    }
  }
  return { deltas: [...deltas.values()], unattributed: [...unattributed.values()] };
}

function keyOf(experiment: string, key: MetricKey, variant: string): string {
  return [experiment, key.metric, key.kind, key.event, variant].join("\u0000");
}

/** Something whose metrics count tracked events: an experiment, or a holdout under its `holdoutKey`. */
export interface MetricSource {
  /** The experiment's name, or the holdout's key: where the sums are kept. */
  key: string;
  /** Whether its metrics count events now: a running experiment, a holdout with a running member. */
  listening: boolean;
  metrics: readonly { name: string; event: string; kind: MetricKind }[];
}

/** The metrics of the sources that are listening, by the event each listens to. */
export function listenersByEvent(sources: Iterable<MetricSource>): Map<string, MetricListener[]> {
  const byEvent = new Map<string, MetricListener[]>();
  for (const source of sources) {
    if (!source.listening) continue;
    for (const metric of source.metrics) {
      const listeners = byEvent.get(metric.event) ?? [];
      listeners.push({ experiment: source.key, metric: metric.name, event: metric.event, kind: metric.kind });
      byEvent.set(metric.event, listeners);
    }
  }
  return byEvent;
}
