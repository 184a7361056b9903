import { callObject } from "../call";
import type { StatsObject } from "./stats-object";

/** The object that counts `experiment`'s events. */
export function statsOf(
  stats: DurableObjectNamespace<StatsObject>,
  experiment: string,
): DurableObjectStub<StatsObject> {
  return stats.get(stats.idFromName(experiment));
}

/** One RPC to an experiment's stats object (the results' read; the queue's consumer retries its own writes). */
export function callStats<T>(
  stats: DurableObjectNamespace<StatsObject>,
  experiment: string,
  call: (stub: DurableObjectStub<StatsObject>) => Promise<T>,
): Promise<T> {
  return callObject({ stub: () => statsOf(stats, experiment), store: "the stats store", idempotent: false }, call);
}
