import type { MetricDefinition } from "../../../core";
import { callRegistry } from "../../objects/registry/client";
import { changedBy } from "../auth";
import type { Handlers } from "../handler";
import { Reply } from "../reply";

const DEFAULT_HISTORY_LIMIT = 100;

/** The holdout admin routes: every read and write goes to the registry (its results: `results.ts`). */
export const holdoutHandlers: Handlers<
  "listHoldouts" | "getHoldout" | "defineHoldout" | "deleteHoldout" | "holdoutHistory"
> = {
  listHoldouts: async (_, { env }) => ({ holdouts: await callRegistry(env.REGISTRY, (r) => r.holdouts()) }),

  getHoldout: async ({ params }, { env }) => callRegistry(env.REGISTRY, (r) => r.holdout(params.name)),

  defineHoldout: async ({ params, body }, call) => {
    const by = changedBy(call);
    const definition = {
      coverage: body.coverage,
      description: body.description ?? null,
      // Kinds, directions and roles are the engine's to refuse (422), as for experiments.
      metrics: body.metrics as MetricDefinition[] | undefined,
    };
    const { holdout, created } = await callRegistry(call.env.REGISTRY, (r) =>
      r.defineHoldout(params.name, definition, by),
    );
    return new Reply(holdout, created ? 201 : 200);
  },

  deleteHoldout: async ({ params }, call) => {
    const by = changedBy(call);
    await callRegistry(call.env.REGISTRY, (r) => r.deleteHoldout(params.name, by));
    return new Reply(null, 204);
  },

  holdoutHistory: async ({ params, query }, { env }) => {
    const limit = query.limit === undefined ? DEFAULT_HISTORY_LIMIT : Number(query.limit);
    return { history: await callRegistry(env.REGISTRY, (r) => r.holdoutHistory(params.name, limit)) };
  },
};
