import type { Command } from "commander";
import type { Webhook, WebhookDefinition, WebhookEventType } from "../../client";
import { WEBHOOK_EVENT_TYPES } from "../../core";
import { parseName, parseWebhookEvent, parseWebhookUrl } from "../args";
import { keyValues } from "../format";
import type { SessionOf } from "../session";
import { eventsText, secretText, webhookChanges, webhooksTable } from "../webhooks";
import { many, one } from "./parsers";

const SET_HELP = `
Event types (default: all of them):
  ${WEBHOOK_EVENT_TYPES.join("\n  ")}

Each delivery is a Standard Webhooks POST {type, timestamp, data}, signed with the
secret (webhook-id, webhook-timestamp, webhook-signature). The secret is printed once,
when the subscription is created; replacing it keeps the secret (rotate makes a new one).

Examples:
  expctl webhook set ops https://hooks.example.com/experiments
  expctl webhook set alerts https://hooks.example.com/alerts --event guardrail.breached --event experiment.concluded
`;

/** `webhooks`, `webhook list|set|rm|rotate`: signed deliveries of changes to a URL. */
export function webhookCommands(program: Command, sessionOf: SessionOf): void {
  const list = async (_options: object, command: Command) => {
    const session = sessionOf(command);
    const answer = await session.client.webhooks();
    session.show(answer, () => webhooksTable(answer.webhooks));
  };
  program.command("webhooks").description("every webhook subscription: NAME EVENTS URL (as webhook list)").action(list);

  const webhook = program
    .command("webhook")
    .description("subscriptions that receive every change as a signed POST (Standard Webhooks)");

  webhook.command("list").description("every subscription, sorted by name, without its secret").action(list);

  webhook
    .command("set")
    .description("subscribe a URL (its secret printed once), or replace a subscription (its secret kept)")
    .argument("<name>", "subscription", one(parseName))
    .argument("<url>", "https:// (http:// only where the Worker has WEBHOOK_ALLOW_HTTP=1)", one(parseWebhookUrl))
    .option("--event <type>", "an event type it receives (repeat; default: all)", many(parseWebhookEvent))
    .addHelpText("after", SET_HELP)
    .action(async (name: string, url: string, options: { event?: WebhookEventType[] }, command: Command) => {
      const session = sessionOf(command);
      const definition: WebhookDefinition = { url, ...(options.event === undefined ? {} : { events: options.event }) };
      // Read first, to say what the replacement changed (events not given become all of them).
      const before = session.json ? undefined : (await session.client.webhooks()).webhooks.find((w) => w.name === name);
      // Only a creation answers the secret.
      const { webhook: answer, secret } = await session.client.defineWebhook(name, definition);
      session.show(secret === null ? answer : { ...answer, secret }, () => {
        if (secret !== null) return `${createdText(answer)}${secretText(name, secret)}`;
        const replaced = `replaced webhook ${name} (its secret is kept)`;
        // Created by someone else between the read and the PUT: nothing to compare with.
        if (before === undefined) return `${replaced}\n`;
        const changes = webhookChanges(before, answer);
        return changes.length === 0 ? `${replaced}: nothing changed\n` : `${replaced}:\n${keyValues(changes, "  ")}`;
      });
    });

  webhook
    .command("rm")
    .alias("remove")
    .description("unsubscribe: its waiting deliveries are dropped")
    .argument("<name>", "subscription", one(parseName))
    .action(async (name: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      await session.client.deleteWebhook(name);
      // 204: no JSON to show, so `--json` prints nothing.
      if (!session.json) session.print(`removed webhook ${name}`);
    });

  webhook
    .command("rotate")
    .description("a new signing secret, printed once; the old one signs nothing from now on")
    .argument("<name>", "subscription", one(parseName))
    .action(async (name: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.rotateWebhook(name);
      session.show(
        answer,
        () =>
          `new secret for webhook ${name}: the old one signs nothing from now on\n${secretText(name, answer.secret)}`,
      );
    });
}

/** `created webhook ops: https://…`, then the events it receives. */
function createdText(webhook: Webhook): string {
  return `created webhook ${webhook.name}: ${webhook.url}\n${keyValues([["events", eventsText(webhook.events)]], "  ")}`;
}
