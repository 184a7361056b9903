import type { Webhook, WebhookEventType } from "../client";
import { WEBHOOK_EVENT_TYPES } from "../core";
import { keyValues, table } from "./format";

/** How `expctl` shows webhook subscriptions to a person (`--json` shows the API's answers as they are). */

/** `all` when a subscription receives every type, else the types space-separated. */
export function eventsText(events: readonly WebhookEventType[]): string {
  const all = WEBHOOK_EVENT_TYPES.every((type) => events.includes(type));
  return all ? "all" : events.join(" ");
}

/** One row per subscription; the URL, the widest, last. */
export function webhooksTable(webhooks: readonly Webhook[]): string {
  if (webhooks.length === 0) return "no webhooks\n";
  return table(
    ["NAME", "EVENTS", "URL"],
    webhooks.map((w) => [w.name, eventsText(w.events), w.url]),
  );
}

/** What a webhook `PUT` changed: `["events", "all → experiment.concluded"]`. */
export function webhookChanges(before: Webhook, after: Webhook): [string, string][] {
  const changes: [string, string][] = [];
  if (before.url !== after.url) changes.push(["url", `${before.url} → ${after.url}`]);
  const [from, to] = [eventsText(before.events), eventsText(after.events)];
  if (from !== to) changes.push(["events", `${from} → ${to}`]);
  return changes;
}

/**
 * The signing secret, and that this is the only time it is shown: the Worker keeps it,
 * but no read answers it again.
 */
export function secretText(name: string, secret: string): string {
  return (
    keyValues([["secret", secret]]) +
    `store the secret now: it is not shown again (expctl webhook rotate ${name} makes a new one)\n`
  );
}
