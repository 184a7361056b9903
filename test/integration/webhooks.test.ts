// Webhook subscriptions: created with a secret shown once, listed without it, URLs and
// event types checked; each change writes its deliveries in its own transaction, and the
// registry's alarm hands them to the events queue, never the admin request itself.
import { createMessageBatch, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/edge/env";
import { consumeEvents } from "../../src/edge/events/consumer";
import type { EventMessage, WebhookMessage } from "../../src/edge/events/messages";
import { admin, fiftyFifty, ok, problem, runningExperiment, unique } from "./helpers";

const registry = () => env.REGISTRY.get(env.REGISTRY.idFromName("registry"));

type Webhook = { name: string; url: string; events: string[]; secret?: string };

/** Runs the registry's alarm with a queue that records what it is handed; returns the deliveries. */
async function handOver(): Promise<WebhookMessage["webhook"][]> {
  return runInDurableObject(registry(), async (instance) => {
    const sent: WebhookMessage[] = [];
    const realEnv = Reflect.get(instance, "env");
    Reflect.set(instance, "env", {
      ...realEnv,
      EVENTS: {
        sendBatch: async (messages: { body: WebhookMessage }[]) => void sent.push(...messages.map((m) => m.body)),
      },
    });
    try {
      await instance.alarm();
    } finally {
      Reflect.set(instance, "env", realEnv);
    }
    return sent.map((message) => message.webhook);
  });
}

describe("webhook subscriptions", () => {
  it("show the secret only when created or rotated, and never in a list", async () => {
    const name = unique("hook");
    const created = await ok<Webhook>(admin("PUT", `/webhooks/${name}`, { url: "https://hooks.example.com/a" }), 201);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(atob((created.secret as string).slice(6))).toHaveLength(24);
    expect(created.events).toHaveLength(10); // every type by default
    const replaced = await ok<Webhook>(
      admin("PUT", `/webhooks/${name}`, { url: "https://hooks.example.com/b", events: ["experiment.started"] }),
    );
    expect(replaced).toEqual({
      ...created,
      secret: undefined,
      url: "https://hooks.example.com/b",
      events: ["experiment.started"],
      updated_at_secs: expect.any(Number),
    });
    expect("secret" in replaced).toBe(false);
    const { webhooks } = await ok<{ webhooks: Webhook[] }>(admin("GET", "/webhooks"));
    expect(webhooks.find((w) => w.name === name)).not.toHaveProperty("secret");
    expect(JSON.stringify(webhooks)).not.toContain(created.secret);
    const rotated = await ok<Webhook>(admin("POST", `/webhooks/${name}/rotate`));
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    await ok(admin("DELETE", `/webhooks/${name}`), 204);
    await problem(admin("DELETE", `/webhooks/${name}`), 404, "not_found");
    await problem(admin("POST", `/webhooks/${name}/rotate`), 404, "not_found");
  });

  it.each([
    ["http:// without WEBHOOK_ALLOW_HTTP", { url: "http://hooks.example.com/" }, "/url"],
    ["another scheme", { url: "ftp://hooks.example.com/" }, "/url"],
    ["credentials in the URL", { url: "https://user:pass@hooks.example.com/" }, "/url"],
    ["a relative URL", { url: "/hooks" }, "/url"],
    ["a URL over 2,048 characters", { url: `https://hooks.example.com/${"a".repeat(2030)}` }, "/url"],
    [
      "an unknown event type",
      { url: "https://hooks.example.com/", events: ["experiment.started", "experiment.deleted"] },
      "/events/1",
    ],
  ])("refuses %s (422 with its pointer) and stores nothing", async (_, body, pointer) => {
    const name = unique("bad-hook");
    const refused = await problem(admin("PUT", `/webhooks/${name}`, body), 422, "invalid_config");
    expect(refused.body.errors).toEqual([{ pointer, detail: expect.any(String) }]);
    const { webhooks } = await ok<{ webhooks: Webhook[] }>(admin("GET", "/webhooks"));
    expect(webhooks.map((w) => w.name)).not.toContain(name);
  });
});

describe("webhook deliveries", () => {
  it("are written with each change and handed to the queue by the alarm, one per subscriber and type", async () => {
    const [all, started] = [unique("hook-all"), unique("hook-started")];
    await handOver(); // whatever earlier tests left waiting
    await ok(admin("PUT", `/webhooks/${all}`, { url: "https://hooks.example.com/all" }), 201);
    await ok(
      admin("PUT", `/webhooks/${started}`, { url: "https://hooks.example.com/s", events: ["experiment.started"] }),
      201,
    );
    const name = unique("hooked");
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty, { "x-admin-actor": "ops@example.com" }), 201);
    await ok(admin("POST", `/experiments/${name}/start`));
    await ok(admin("PUT", `/experiments/${name}/overrides/qa:1`, { variant: "control" }));
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "treatment" }));
    const deliveries = (await handOver()).filter((d) => d.webhook === all || d.webhook === started);
    expect(deliveries.map((d) => [d.webhook === all ? "all" : "started", d.type])).toEqual([
      ["all", "experiment.created"],
      ["all", "experiment.started"],
      ["started", "experiment.started"],
      ["all", "override.set"],
      ["all", "experiment.concluded"],
    ]);
    expect(new Set(deliveries.map((d) => d.id)).size).toBe(5);
    expect(deliveries[0]?.data).toEqual({
      experiment: expect.objectContaining({ name, state: "draft" }),
      change: "created",
      actor: "admin/ops@example.com",
    });
    expect(deliveries[4]?.data).toMatchObject({ experiment: { state: "concluded", winner: "treatment" } });
    expect(JSON.stringify(deliveries)).not.toContain("whsec_");
    expect(await handOver()).toEqual([]); // handed over once
    for (const hook of [all, started]) await ok(admin("DELETE", `/webhooks/${hook}`), 204);
  });
});

describe("the srm.mismatch webhook", () => {
  it("is written the first time an experiment's enrolments mismatch its weights, and never again", async () => {
    const hook = unique("hook-srm");
    await handOver();
    await ok(
      admin("PUT", `/webhooks/${hook}`, { url: "https://hooks.example.com/srm", events: ["srm.mismatch"] }),
      201,
    );
    const name = unique("srm-broken");
    await runningExperiment(name);
    const enrolments = (variant: string, count: number, from: number): EventMessage[] =>
      Array.from({ length: count }, (_, i) => ({
        kind: "enrolment",
        experiment: name,
        variant,
        actor: `${name}:${variant}:${from + i}`,
        revision: 1,
        timestamp_secs: Math.floor(Date.now() / 1000),
      }));
    const deliver = (events: EventMessage[], id: string) =>
      consumeEvents(
        createMessageBatch<unknown>("experiment-events", [{ id, timestamp: 0, attempts: 1, body: { events } }]),
        env as unknown as Env,
      );
    // Balanced first: no webhook.
    await deliver([...enrolments("control", 50, 0), ...enrolments("treatment", 50, 0)], `${name}-1`);
    expect((await handOver()).filter((d) => d.webhook === hook)).toEqual([]);
    // Then 150 against 50: a mismatch (p far below 0.001).
    await deliver(enrolments("control", 100, 50), `${name}-2`);
    const told = (await handOver()).filter((d) => d.webhook === hook);
    expect(told.map((d) => d.type)).toEqual(["srm.mismatch"]);
    expect(told[0]?.data).toMatchObject({
      experiment: { name },
      srm: { status: "mismatch", test: "chi_square" },
      change: "srm=mismatch",
      actor: null,
    });
    // Still mismatched: told once only.
    await deliver(enrolments("control", 50, 150), `${name}-3`);
    expect((await handOver()).filter((d) => d.webhook === hook)).toEqual([]);
    await ok(admin("DELETE", `/webhooks/${hook}`), 204);
  });
});
