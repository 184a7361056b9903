import { ExperimentError } from "../../../core";
import { callActor } from "../../objects/actor/client";
import { callRegistry } from "../../objects/registry/client";
import { changedBy } from "../auth";
import type { Handlers } from "../handler";
import { Reply } from "../reply";

/**
 * The per-actor admin routes: overrides go through the registry (which writes the
 * actor's object and its own index); the assignment lookup asks the actor's object.
 */
export const overrideHandlers: Handlers<"listOverrides" | "setOverride" | "removeOverride" | "getAssignment"> = {
  listOverrides: async ({ params }, { env }) => ({
    overrides: await callRegistry(env.REGISTRY, (r) => r.overrides(params.name)),
  }),

  setOverride: async ({ params, body }, call) => {
    const { env } = call;
    const { name, actor } = params;
    const by = changedBy(call);
    await callRegistry(env.REGISTRY, (r) => r.setOverride(name, actor, body.variant, by));
    return { experiment: name, actor, variant: body.variant };
  },

  removeOverride: async ({ params }, call) => {
    const { env } = call;
    const by = changedBy(call);
    await callRegistry(env.REGISTRY, (r) => r.removeOverride(params.name, params.actor, by));
    return new Reply(null, 204);
  },

  getAssignment: async ({ params }, { env }) => {
    const { name, actor } = params;
    const assignment = await callActor(env.ACTORS, actor, (stub) => stub.getAssignment(actor, name));
    if (assignment === null) {
      throw new ExperimentError("not_found", `no assignment for actor '${actor}' in experiment '${name}'`);
    }
    return assignment;
  },
};
