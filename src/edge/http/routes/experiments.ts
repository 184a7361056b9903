import type { HashVersion, MetricDefinition, TargetingCondition } from "../../../core";
import { callRegistry } from "../../objects/registry/client";
import { changedBy } from "../auth";
import type { Handlers } from "../handler";
import { Reply } from "../reply";

const DEFAULT_HISTORY_LIMIT = 100;

/**
 * The experiment admin routes: every read and write goes to the registry
 * (read-your-writes). Authentication has already happened in the router.
 */
export const experimentHandlers: Handlers<
  | "listExperiments"
  | "getExperiment"
  | "defineExperiment"
  | "startExperiment"
  | "concludeExperiment"
  | "archiveExperiment"
  | "setWeights"
  | "setCoverage"
  | "history"
  | "listLayers"
> = {
  listExperiments: async (_, { env }) => ({ experiments: await callRegistry(env.REGISTRY, (r) => r.list()) }),

  getExperiment: async ({ params }, { env }) => callRegistry(env.REGISTRY, (r) => r.status(params.name)),

  defineExperiment: async ({ params, body }, call) => {
    const { env } = call;
    const by = changedBy(call);
    const definition = {
      variants: body.variants,
      description: body.description ?? null,
      exclusion_group: body.exclusion_group ?? null,
      // An operator the engine does not know is refused there (422 invalid_config), with
      // every other config rule; the schema only checked that it is a string.
      targeting: body.targeting as TargetingCondition[] | undefined,
      coverage: body.coverage,
      hash_version: body.hash_version as HashVersion | undefined,
      // Kinds, directions and roles, likewise: the engine refuses one it does not know.
      metrics: body.metrics as MetricDefinition[] | undefined,
      layer: body.layer ?? null,
      holdout: body.holdout ?? null,
      schedule: body.schedule ?? null,
      auto_stop: body.auto_stop ?? false,
    };
    const { config, created } = await callRegistry(env.REGISTRY, (r) => r.define(params.name, definition, by));
    return new Reply(config, created ? 201 : 200);
  },

  startExperiment: async ({ params }, call) => {
    const { env } = call;
    const by = changedBy(call);
    return callRegistry(env.REGISTRY, (r) => r.start(params.name, by));
  },

  concludeExperiment: async ({ params, body }, call) => {
    const { env } = call;
    const by = changedBy(call);
    return callRegistry(env.REGISTRY, (r) => r.conclude(params.name, body.winner, by));
  },

  archiveExperiment: async ({ params }, call) => {
    const { env } = call;
    const by = changedBy(call);
    return callRegistry(env.REGISTRY, (r) => r.archive(params.name, by));
  },

  setWeights: async ({ params, body }, call) => {
    const { env } = call;
    const by = changedBy(call);
    return callRegistry(env.REGISTRY, (r) => r.setWeights(params.name, body.variants, by));
  },

  setCoverage: async ({ params, body }, call) => {
    const { env } = call;
    const by = changedBy(call);
    return callRegistry(env.REGISTRY, (r) => r.setCoverage(params.name, body.coverage, by));
  },

  listLayers: async (_, { env }) => ({ layers: await callRegistry(env.REGISTRY, (r) => r.layers()) }),

  history: async ({ params, query }, { env }) => {
    const limit = query.limit === undefined ? DEFAULT_HISTORY_LIMIT : Number(query.limit);
    return { history: await callRegistry(env.REGISTRY, (r) => r.history(params.name, limit)) };
  },
};
