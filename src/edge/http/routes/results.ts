import { experimentResults, nowSecs } from "../../../core";
import { callRegistry } from "../../objects/registry/client";
import { callStats } from "../../objects/stats/client";
import type { Handlers } from "../handler";

/**
 * An experiment's counted enrolments and exposures with the sample-ratio check: two
 * reads, the registry (config and each revision's weights) and the experiment's stats
 * object. Counts lag assignments by the queue's batch delay (about a second).
 */
export const resultsHandlers: Handlers<"results"> = {
  results: async ({ params }, { env }) => {
    const { config, revisions } = await callRegistry(env.REGISTRY, (r) => r.revisions(params.name));
    const rows = await callStats(env.STATS, params.name, (s) => s.counts());
    return experimentResults(config, revisions, rows, nowSecs());
  },
};
