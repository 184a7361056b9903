import type { ExperimentConfig, ExperimentState } from "./types";
import { LIMITS } from "./validation";

/**
 * Layers (not in the reference): experiments that split one population by ranges of a
 * shared hash, so that those on disjoint ranges never share an actor, decided at the
 * edge with no Durable Object call. A layer exists while an experiment names it.
 */

/** Whether two half-open ranges `[start, end)` share a bucket. */
export function rangesOverlap([a0, a1]: readonly [number, number], [b0, b1]: readonly [number, number]): boolean {
  return a0 < b1 && b0 < a1;
}

/** One layer as `GET /v1/admin/layers` shows it. */
export interface LayerOverview {
  name: string;
  /** Its experiments (archived ones are gone), by range start, then name. */
  experiments: { name: string; state: ExperimentState; range: [number, number] }[];
  /** The ranges no running experiment holds, in order: where another may start. */
  free: [number, number][];
}

/**
 * Every layer named by an experiment that is not archived, by name, with its experiments
 * and the ranges free of running ones.
 *
 * @example
 * layersOverview([{ name: "a", state: "running", layer: { name: "checkout", range: [0, 5000] } }]);
 * // [{ name: "checkout", experiments: [{ name: "a", state: "running", range: [0, 5000] }], free: [[5000, 10000]] }]
 */
export function layersOverview(
  configs: readonly Pick<ExperimentConfig, "name" | "state" | "layer">[],
): LayerOverview[] {
  const byLayer = new Map<string, LayerOverview["experiments"]>();
  for (const { name, state, layer } of configs) {
    if (layer === null || state === "archived") continue;
    const experiments = byLayer.get(layer.name) ?? [];
    experiments.push({ name, state, range: [layer.range[0], layer.range[1]] });
    byLayer.set(layer.name, experiments);
  }
  return [...byLayer]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, experiments]) => {
      experiments.sort((a, b) => a.range[0] - b.range[0] || (a.name < b.name ? -1 : 1));
      return { name, experiments, free: freeRanges(experiments.filter((e) => e.state === "running")) };
    });
}

/** The parts of [0, 10000) that none of `taken` covers, in order. */
function freeRanges(taken: readonly { range: [number, number] }[]): [number, number][] {
  const free: [number, number][] = [];
  let from = 0;
  for (const { range } of [...taken].sort((a, b) => a.range[0] - b.range[0])) {
    if (range[0] > from) free.push([from, range[0]]);
    from = Math.max(from, range[1]);
  }
  if (from < LIMITS.maxCoverage) free.push([from, LIMITS.maxCoverage]);
  return free;
}
