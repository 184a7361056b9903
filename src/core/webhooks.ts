import { ExperimentError } from "./errors";
import { invalidField, isValidName, NAME_PATTERN } from "./validation";

/**
 * Signed webhooks (not in the reference), delivered as the Standard Webhooks
 * specification says: what a subscription is, which changes make which events, and the
 * signature. Delivery (through the events queue, with retries) is the edge's.
 */

/** Every event type, in the order the docs list them. */
export const WEBHOOK_EVENT_TYPES = [
  "experiment.created",
  "experiment.updated",
  "experiment.started",
  "experiment.concluded",
  "experiment.archived",
  "override.set",
  "override.removed",
  "holdout.updated",
  "srm.mismatch",
  "guardrail.breached",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The longest URL a webhook may have. */
export const MAX_WEBHOOK_URL_CHARS = 2048;

/** A subscription as every read shows it: never its secret. */
export interface WebhookConfig {
  name: string;
  url: string;
  /** The types it receives; every type when the definition named none. */
  events: WebhookEventType[];
  created_at_secs: number;
  updated_at_secs: number;
}

export interface WebhookDefinition {
  url: string;
  events?: string[];
}

/**
 * A subscription from its definition, checked: the name by the experiment-name rules, an
 * `https://` URL (or `http://` when `allowHttp`, for local development and tests) of at
 * most 2,048 characters with no credentials in it, and known event types.
 *
 * @throws {ExperimentError} `invalid_config` with the field's pointer (`/url`, `/events/<i>`).
 */
export function webhookConfig(
  name: string,
  definition: WebhookDefinition,
  current: WebhookConfig | null,
  options: { allowHttp: boolean; now: number },
): WebhookConfig {
  if (!isValidName(name))
    throw ExperimentError.invalidConfig(`invalid webhook name '${name}': must match ${NAME_PATTERN.source}`);
  const url = checkedUrl(definition.url, options.allowHttp);
  const events = (definition.events ?? [...WEBHOOK_EVENT_TYPES]).map((type, i) => {
    if ((WEBHOOK_EVENT_TYPES as readonly string[]).includes(type)) return type as WebhookEventType;
    const problem = `must be one of ${WEBHOOK_EVENT_TYPES.join(", ")}`;
    throw invalidField(`unknown webhook event type '${type}'`, `/events/${i}`, problem);
  });
  return {
    name,
    url,
    events: [...new Set(events)],
    created_at_secs: current?.created_at_secs ?? options.now,
    updated_at_secs: options.now,
  };
}

function checkedUrl(text: string, allowHttp: boolean): string {
  const refuse = (problem: string): never => {
    throw invalidField(`webhook url ${problem}`, "/url", problem);
  };
  if (text.length > MAX_WEBHOOK_URL_CHARS) refuse(`must be at most ${MAX_WEBHOOK_URL_CHARS} characters`);
  if (!URL.canParse(text)) refuse("must be an absolute URL");
  const url = new URL(text);
  const schemes = allowHttp ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) {
    refuse(allowHttp ? "must be https:// or http://" : "must be https:// (http:// only with WEBHOOK_ALLOW_HTTP=1)");
  }
  if (url.username !== "" || url.password !== "") refuse("must not hold credentials");
  return url.href;
}

/**
 * The event types a history entry of an experiment makes: what changed, in the words of
 * Standard Webhooks' `type`. An automatic stop is both a conclusion and a breach.
 *
 * @example
 * eventTypesOf("concluded=control (guardrail errors: slow worse)"); // ["experiment.concluded", "guardrail.breached"]
 */
export function eventTypesOf(mutation: string): WebhookEventType[] {
  if (mutation === "created") return ["experiment.created"];
  if (mutation === "state=running") return ["experiment.started"];
  if (mutation === "state=archived") return ["experiment.archived"];
  if (mutation.startsWith("concluded=")) {
    return mutation.includes(" (guardrail ")
      ? ["experiment.concluded", "guardrail.breached"]
      : ["experiment.concluded"];
  }
  if (mutation.startsWith("override=")) return ["override.set"];
  if (mutation.startsWith("override_removed=")) return ["override.removed"];
  return ["experiment.updated"];
}

/** A new secret: `whsec_` and the base64 of 24 random bytes (Standard Webhooks' format). */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * The `webhook-signature` header's value: `v1,` and the base64 HMAC-SHA256 of
 * `<id>.<timestamp>.<body>`, keyed with the secret's decoded bytes (the part after
 * `whsec_`), as Standard Webhooks specifies.
 */
export async function webhookSignature(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const raw = Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  return `v1,${btoa(String.fromCharCode(...new Uint8Array(mac)))}`;
}

/**
 * How long the queue waits before each retry of a failed delivery, by attempt: short
 * first (5 s, then 30 s), growing to the queue's longest delay (12 h), about 28 hours in
 * all over the queue's ten retries, after which the delivery goes to the dead-letter queue.
 */
export const WEBHOOK_RETRY_DELAYS_SECS = [5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200] as const;

/** The delay before the retry that follows attempt `attempts` (1-based). */
export function webhookRetryDelay(attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), WEBHOOK_RETRY_DELAYS_SECS.length) - 1;
  return WEBHOOK_RETRY_DELAYS_SECS[index] as number;
}
