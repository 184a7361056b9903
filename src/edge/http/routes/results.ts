import {
  type AnalysisMethod,
  type ExperimentConfig,
  experimentOutcomes,
  experimentResults,
  holdoutAsExperiment,
  holdoutKey,
  nowSecs,
  type RevisionWeights,
} from "../../../core";
import type { Env } from "../../env";
import { callRegistry } from "../../objects/registry/client";
import { callStats } from "../../objects/stats/client";
import type { Handlers } from "../handler";

/**
 * An experiment's counted enrolments and exposures with the sample-ratio check, and each
 * metric's lift with its intervals: two reads, the registry (config and each revision's
 * weights) and the experiment's stats object. Counts lag assignments and tracked
 * events by the queue's batch delay (about a second). A holdout's results are the same,
 * for its two arms, from its own stats object.
 */
export const resultsHandlers: Handlers<"results" | "holdoutResults"> = {
  results: async ({ params, query }, { env }) => {
    const { config, revisions } = await callRegistry(env.REGISTRY, (r) => r.revisions(params.name));
    return resultsOf(env, params.name, config, revisions, query);
  },

  holdoutResults: async ({ params, query }, { env }) => {
    const holdout = await callRegistry(env.REGISTRY, (r) => r.holdout(params.name));
    // Two arms weighted by the coverage, which is fixed once anyone can have been counted.
    const arms = holdoutAsExperiment(holdout);
    const config = { ...arms, name: holdout.name, state: "running", hash_version: 2 } as const;
    const revisions = [{ revision: 1, variants: arms.variants }];
    const {
      experiment: _,
      state: __,
      hash_version: ___,
      ...results
    } = await resultsOf(env, holdoutKey(holdout.name), config, revisions, query);
    return { holdout: holdout.name, coverage: holdout.coverage, ...results };
  },
};

/** Counts, the SRM check and each metric's analysis, from the stats object kept under `key`. */
async function resultsOf(
  env: Env,
  key: string,
  config: Pick<ExperimentConfig, "name" | "state" | "hash_version" | "variants" | "metrics">,
  revisions: readonly RevisionWeights[],
  query: { method: AnalysisMethod; alpha: number },
) {
  const reading = await callStats(env.STATS, key, (s) => s.read());
  const results = experimentResults(config, revisions, reading.counts, nowSecs());
  const enrolled = new Map(results.variants.map((variant) => [variant.name, variant.enrolled]));
  const options = { method: query.method, alpha: query.alpha };
  return { ...results, ...experimentOutcomes(config, enrolled, reading, results.srm, options) };
}
