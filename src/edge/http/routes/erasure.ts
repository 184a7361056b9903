import { callRegistry } from "../../objects/registry/client";
import { changedBy } from "../auth";
import type { Handlers } from "../handler";
import { Reply } from "../reply";

/** `DELETE /v1/admin/actors/{actor}`: the registry erases the actor, its own object first. */
export const erasureHandlers: Handlers<"eraseActor"> = {
  eraseActor: async ({ params }, call) => {
    const by = changedBy(call);
    await callRegistry(call.env.REGISTRY, (r) => r.eraseActor(params.actor, by));
    return new Reply(null, 204);
  },
};
