import { experimentOutcomes, experimentResults, nowSecs } from "../../../core";
import { callRegistry } from "../../objects/registry/client";
import { callStats } from "../../objects/stats/client";
import type { Handlers } from "../handler";

/**
 * An experiment's counted enrolments and exposures with the sample-ratio check, and each
 * metric's lift with its intervals: two reads, the registry (config and each revision's
 * weights) and the experiment's stats object. Counts lag assignments and tracked
 * events by the queue's batch delay (about a second).
 */
export const resultsHandlers: Handlers<"results"> = {
  results: async ({ params, query }, { env }) => {
    const { config, revisions } = await callRegistry(env.REGISTRY, (r) => r.revisions(params.name));
    const reading = await callStats(env.STATS, params.name, (s) => s.read());
    const results = experimentResults(config, revisions, reading.counts, nowSecs());
    const enrolled = new Map(results.variants.map((variant) => [variant.name, variant.enrolled]));
    const options = { method: query.method, alpha: query.alpha };
    return { ...results, ...experimentOutcomes(config, enrolled, reading, results.srm, options) };
  },
};
