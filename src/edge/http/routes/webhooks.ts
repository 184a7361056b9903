import { callRegistry } from "../../objects/registry/client";
import type { Handlers } from "../handler";
import { Reply } from "../reply";

/** The webhook admin routes: subscriptions live in the registry, with the outbox their deliveries leave from. */
export const webhookHandlers: Handlers<"listWebhooks" | "defineWebhook" | "deleteWebhook" | "rotateWebhook"> = {
  listWebhooks: async (_, { env }) => ({ webhooks: await callRegistry(env.REGISTRY, (r) => r.webhooks()) }),

  defineWebhook: async ({ params, body }, { env }) => {
    const { webhook, secret, created } = await callRegistry(env.REGISTRY, (r) => r.defineWebhook(params.name, body));
    // The secret only in the answer that created it.
    return created && secret !== null ? new Reply({ ...webhook, secret }, 201) : new Reply(webhook, 200);
  },

  deleteWebhook: async ({ params }, { env }) => {
    await callRegistry(env.REGISTRY, (r) => r.deleteWebhook(params.name));
    return new Reply(null, 204);
  },

  rotateWebhook: async ({ params }, { env }) => {
    const { webhook, secret } = await callRegistry(env.REGISTRY, (r) => r.rotateWebhook(params.name));
    return { ...webhook, secret };
  },
};
