import { nowSecs, webhookRetryDelay, webhookSignature } from "../../core";
import type { Env } from "../env";
import { callRegistry } from "../objects/registry/client";
import type { WebhookMessage } from "./messages";

/** How long one attempt may take before it counts as failed. */
const ATTEMPT_TIMEOUT_MS = 10_000;

/** Whether a queue message is a webhook delivery rather than events. */
export function isWebhookMessage(body: unknown): body is WebhookMessage {
  return typeof body === "object" && body !== null && "webhook" in body;
}

/**
 * Sends one delivery, as Standard Webhooks says: `POST` of `{"type", "timestamp", "data"}`
 * with `webhook-id` (the same on every attempt), `webhook-timestamp` (this attempt's
 * seconds) and `webhook-signature` (`v1,` HMAC-SHA256 with the subscription's current
 * secret, which never travels in the queue). A 2xx answer is recorded in the registry,
 * so the delivery is never sent again, and acknowledged; anything else, a network
 * failure or 10 s without an answer is retried after `webhookRetryDelay`, until the
 * queue's retries run out and the dead-letter queue keeps it. A delivery whose
 * subscription is gone, or that was answered already, is acknowledged unsent.
 */
export async function deliverWebhook(message: Message<unknown>, env: Env): Promise<void> {
  const { webhook: delivery } = message.body as WebhookMessage;
  const retry = () => message.retry({ delaySeconds: webhookRetryDelay(message.attempts) });
  let target: { url: string; secret: string; delivered: boolean } | null;
  try {
    target = await callRegistry(env.REGISTRY, (registry) => registry.webhookTarget(delivery.webhook, delivery.id));
  } catch {
    retry();
    return;
  }
  if (target === null || target.delivered) {
    message.ack();
    return;
  }
  const body = JSON.stringify({
    type: delivery.type,
    timestamp: new Date(delivery.timestamp_secs * 1000).toISOString(),
    data: delivery.data,
  });
  const timestamp = nowSecs();
  const headers = {
    "content-type": "application/json",
    "webhook-id": delivery.id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await webhookSignature(target.secret, delivery.id, timestamp, body),
  };
  let status: number;
  try {
    const response = await fetch(target.url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    // The URL is the operator's; the secret and signature are never logged.
    console.warn(`webhook ${delivery.webhook}: ${delivery.id} failed (${String(error)}); retrying`);
    retry();
    return;
  }
  if (status < 200 || status > 299) {
    console.warn(`webhook ${delivery.webhook}: ${delivery.id} answered ${status}; retrying`);
    retry();
    return;
  }
  try {
    await callRegistry(env.REGISTRY, (registry) => registry.webhookDelivered(delivery.id));
  } catch (error) {
    // Acknowledged all the same: the queue sends an acknowledged message again only rarely.
    console.error(`webhook ${delivery.webhook}: recording ${delivery.id} as delivered failed`, error);
  }
  message.ack();
}
