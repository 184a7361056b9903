import { ExperimentError } from "../../../core";
import type { StatsObject } from "./stats-object";

/** The object that counts `experiment`'s events. */
export function statsOf(
  stats: DurableObjectNamespace<StatsObject>,
  experiment: string,
): DurableObjectStub<StatsObject> {
  return stats.get(stats.idFromName(experiment));
}

/** One RPC to an experiment's stats object; a failed call is `store_unavailable`. */
export async function callStats<T>(
  stats: DurableObjectNamespace<StatsObject>,
  experiment: string,
  call: (stub: DurableObjectStub<StatsObject>) => Promise<T>,
): Promise<T> {
  try {
    return await call(statsOf(stats, experiment));
  } catch (error) {
    console.error("stats object call failed", error);
    throw ExperimentError.storeUnavailable("the stats store did not answer; retry");
  }
}
