// `expctl webhook …` without a Worker: the URL and event parsers, the table, and each
// command in process with a fake fetch, above all that a secret is printed exactly when
// the Worker answers one (a creation, a rotation) with the warning that it is not shown again.
import { describe, expect, it } from "vitest";
import { parseWebhookEvent, parseWebhookUrl } from "../../src/cli/args";
import { UsageError } from "../../src/cli/errors";
import { eventsText, webhookChanges, webhooksTable } from "../../src/cli/webhooks";
import type { Webhook } from "../../src/client";
import { WEBHOOK_EVENT_TYPES } from "../../src/core";
import { expctl, json, problem } from "./support/expctl";

const SECRET = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0";
const ALL = [...WEBHOOK_EVENT_TYPES];
const HOOK: Webhook = {
  name: "ops",
  url: "https://hooks.example.com/exp",
  events: ALL,
  created_at_secs: 1_800_000_000,
  updated_at_secs: 1_800_000_000,
};
const NOT_AGAIN = "store the secret now: it is not shown again (expctl webhook rotate ops makes a new one)\n";

const noContent = () => new Response(null, { status: 204 });

describe("webhook URLs and event types", () => {
  it("takes an absolute http(s) URL, leaving http:// to the Worker's WEBHOOK_ALLOW_HTTP", () => {
    expect(parseWebhookUrl("https://hooks.example.com/a?b=c")).toBe("https://hooks.example.com/a?b=c");
    expect(parseWebhookUrl("http://localhost:9000/hook")).toBe("http://localhost:9000/hook");
  });

  it.each([
    ["hooks.example.com/a", "must be an absolute URL"],
    ["ftp://hooks.example.com/a", "must be https:// or http://"],
    ["https://user:pass@hooks.example.com/a", "must not hold credentials"],
    [`https://hooks.example.com/${"a".repeat(2048)}`, "must be at most 2048 characters"],
  ])("refuses %s in the engine's words", (url, message) => {
    expect(() => parseWebhookUrl(url)).toThrow(UsageError);
    expect(() => parseWebhookUrl(url)).toThrow(message);
  });

  it("takes the event types the Worker knows, and names them for one it does not", () => {
    for (const type of WEBHOOK_EVENT_TYPES) expect(parseWebhookEvent(type)).toBe(type);
    expect(() => parseWebhookEvent("experiment.deleted")).toThrow(
      /^unknown event type 'experiment.deleted' \(one of: experiment.created, .*guardrail.breached\)$/,
    );
  });

  it("writes every type as all, and lists subscriptions with their URL last", () => {
    expect(eventsText(ALL)).toBe("all");
    expect(eventsText(["guardrail.breached", "experiment.concluded"])).toBe("guardrail.breached experiment.concluded");
    expect(webhooksTable([HOOK, { ...HOOK, name: "alerts", events: ["guardrail.breached"] }])).toBe(
      "NAME    EVENTS              URL\n" +
        "ops     all                 https://hooks.example.com/exp\n" +
        "alerts  guardrail.breached  https://hooks.example.com/exp\n",
    );
    expect(webhooksTable([])).toBe("no webhooks\n");
    expect(webhookChanges(HOOK, { ...HOOK, url: "https://b.example", events: ["override.set"] })).toEqual([
      ["url", "https://hooks.example.com/exp → https://b.example"],
      ["events", "all → override.set"],
    ]);
  });
});

describe("webhook on the command line", () => {
  it("creates a subscription, printing its secret once with the warning, and sends the events given", async () => {
    const events = ["experiment.concluded", "guardrail.breached"];
    const outcome = await expctl(
      ["webhook", "set", "ops", HOOK.url, "--event", "experiment.concluded", "--event", "guardrail.breached"],
      [json(200, { webhooks: [] }), json(201, { ...HOOK, events, secret: SECRET })],
    );
    expect(outcome).toMatchObject({ code: 0, stderr: "" });
    expect(outcome.sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET http://worker.test/v1/admin/webhooks",
      "PUT http://worker.test/v1/admin/webhooks/ops",
    ]);
    expect(JSON.parse(outcome.sent[1]?.body ?? "null")).toEqual({ url: HOOK.url, events });
    expect(outcome.stdout).toBe(
      `created webhook ops: ${HOOK.url}\n` +
        "  events  experiment.concluded guardrail.breached\n" +
        `secret  ${SECRET}\n${NOT_AGAIN}`,
    );
  });

  it("replaces a subscription without printing any secret, saying what changed", async () => {
    const outcome = await expctl(
      ["webhook", "set", "ops", HOOK.url],
      [json(200, { webhooks: [{ ...HOOK, events: ["override.set"] }] }), json(200, HOOK)],
    );
    expect(JSON.parse(outcome.sent[1]?.body ?? "null")).toEqual({ url: HOOK.url });
    expect(outcome.stdout).toBe("replaced webhook ops (its secret is kept):\n  events  override.set → all\n");
    expect(outcome.stdout).not.toContain("whsec_");
    const same = await expctl(["webhook", "set", "ops", HOOK.url], [json(200, { webhooks: [HOOK] }), json(200, HOOK)]);
    expect(same.stdout).toBe("replaced webhook ops (its secret is kept): nothing changed\n");
  });

  it("prints the Worker's answer with --json, the secret in it only on creation, without reading first", async () => {
    const created = await expctl(
      ["webhook", "set", "ops", HOOK.url, "--json"],
      [json(201, { ...HOOK, secret: SECRET })],
    );
    expect(JSON.parse(created.stdout)).toEqual({ ...HOOK, secret: SECRET });
    expect(created.sent.map((s) => s.method)).toEqual(["PUT"]);
    const replaced = await expctl(["--json", "webhook", "set", "ops", HOOK.url], [json(200, HOOK)]);
    expect(JSON.parse(replaced.stdout)).toEqual(HOOK);
  });

  it("lists subscriptions as webhooks and as webhook list, never with a secret", async () => {
    for (const argv of [["webhooks"], ["webhook", "list"]]) {
      const outcome = await expctl(argv, [json(200, { webhooks: [HOOK] })]);
      expect(outcome.stdout).toBe(`NAME  EVENTS  URL\nops   all     ${HOOK.url}\n`);
      expect(outcome.sent.map((s) => `${s.method} ${s.url}`)).toEqual(["GET http://worker.test/v1/admin/webhooks"]);
    }
  });

  it("rotates the secret, printing the new one once with the warning", async () => {
    const outcome = await expctl(["webhook", "rotate", "ops"], [json(200, { ...HOOK, secret: SECRET })]);
    expect(outcome.sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "POST http://worker.test/v1/admin/webhooks/ops/rotate",
    ]);
    expect(outcome.stdout).toBe(
      `new secret for webhook ops: the old one signs nothing from now on\nsecret  ${SECRET}\n${NOT_AGAIN}`,
    );
    const asJson = await expctl(["webhook", "rotate", "ops", "--json"], [json(200, { ...HOOK, secret: SECRET })]);
    expect(JSON.parse(asJson.stdout).secret).toBe(SECRET);
  });

  it("removes a subscription (nothing printed with --json), and prints not_found with exit 1", async () => {
    const removed = await expctl(["webhook", "rm", "ops"], [noContent]);
    expect(removed).toMatchObject({ code: 0, stdout: "removed webhook ops\n" });
    expect(removed.sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "DELETE http://worker.test/v1/admin/webhooks/ops",
    ]);
    expect((await expctl(["webhook", "remove", "ops", "--json"], [noContent])).stdout).toBe("");
    const missing = await expctl(["webhook", "rm", "ops"], [problem(404, "not_found", "webhook 'ops' not found")]);
    expect(missing).toMatchObject({ code: 1, stdout: "", stderr: "not_found: webhook 'ops' not found\n" });
  });

  it("prints the Worker's refusal of an http:// URL with exit 1", async () => {
    const outcome = await expctl(
      ["webhook", "set", "ops", "http://hooks.example.com"],
      [
        json(200, { webhooks: [] }),
        problem(422, "invalid_config", "webhook url must be https:// (http:// only with WEBHOOK_ALLOW_HTTP=1)"),
      ],
    );
    expect(outcome).toMatchObject({ code: 1, stdout: "" });
    expect(outcome.stderr).toContain("invalid_config: webhook url must be https://");
  });

  it.each([
    [["webhook", "set", "ops", "hooks.example.com"], "must be an absolute URL"],
    [["webhook", "set", "ops", HOOK.url, "--event", "everything"], "unknown event type 'everything'"],
    [["webhook", "set", "bad:name", HOOK.url], "'bad:name' is not a valid name"],
    [["webhook", "set", "ops"], "missing required argument 'url'"],
    [["webhook", "rotate", ".."], "'..' is not a valid name"],
    [["webhook", "rm", ""], "'' is not a valid name"],
  ])("refuses %j with exit 2, sending nothing", async (argv, message) => {
    const outcome = await expctl(argv);
    expect(outcome.stderr).toContain(message);
    expect(outcome).toMatchObject({ code: 2, stdout: "", sent: [] });
  });
});
