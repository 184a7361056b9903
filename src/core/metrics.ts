import type { MetricConfig, MetricDirection, MetricKind, MetricRole } from "./types";

/**
 * An experiment's metrics: what its actors' events are measured by. The rules are
 * `validateMetrics` (`validation.ts`); the measuring comes with event tracking.
 */

export const METRIC_KINDS = ["conversion", "sum"] as const satisfies readonly MetricKind[];
export const METRIC_DIRECTIONS = ["increase", "decrease"] as const satisfies readonly MetricDirection[];
export const METRIC_ROLES = ["goal", "guardrail"] as const satisfies readonly MetricRole[];

/** A metric as a definition may give it: everything but `name` and `kind` has a default. */
export interface MetricDefinition {
  name: string;
  /** Default: the metric's name. */
  event?: string;
  kind: MetricKind;
  /** Default: `increase`. */
  direction?: MetricDirection;
  /** Default: `goal`. */
  role?: MetricRole;
}

/**
 * A metric with its defaults filled in, the fields in the order every read shows them.
 *
 * @example
 * metricConfig({ name: "purchase", kind: "conversion" })
 * // { name: "purchase", event: "purchase", kind: "conversion", direction: "increase", role: "goal" }
 */
export function metricConfig(metric: MetricDefinition): MetricConfig {
  return {
    name: metric.name,
    event: metric.event ?? metric.name,
    kind: metric.kind,
    direction: metric.direction ?? "increase",
    role: metric.role ?? "goal",
  };
}
