import type { ExperimentsClient, RequestInput, ResponseOf } from "../client";
import { call } from "./request";

/**
 * The webhook routes, through the client's `request` (`call`): each resolves with the
 * route's success body and throws the answer's `ApiError` otherwise. A secret is in the
 * answer to a creation or a rotation only; the page shows it once and keeps it nowhere.
 */

export type Webhook = ResponseOf<"listWebhooks">["webhooks"][number];
export type WebhookEventType = Webhook["events"][number];
export type WebhookDefinition = NonNullable<RequestInput<"defineWebhook">["body"]>;

/**
 * @example
 * const webhooks = webhookApi(ctx.session.client);
 * const { webhook, secret } = await webhooks.define("ops", { url: "https://hooks.example.com/exp" });
 */
export function webhookApi(client: ExperimentsClient) {
  return {
    list: async () => (await call(client, "listWebhooks", {})).body.webhooks,
    /** Creates (with its `secret`) or replaces a subscription (`secret: null`: the one it had is kept). */
    define: async (name: string, body: WebhookDefinition) => {
      const { body: answer } = await call(client, "defineWebhook", { params: { name }, body });
      const { secret = null, ...webhook }: Webhook & { secret?: string | null } = answer;
      return { webhook, secret };
    },
    /** A new signing secret, in this answer only: the old one signs nothing from now on. */
    rotate: async (name: string) => (await call(client, "rotateWebhook", { params: { name } })).body,
    remove: async (name: string): Promise<void> => {
      await call(client, "deleteWebhook", { params: { name } });
    },
  };
}
