// Erasure: DELETE /v1/admin/actors/{actor} removes everything held about an actor (its
// object's rows, its overrides in the registry and the snapshot), records `erased` in
// each affected experiment's history without the actor's id, keeps the aggregated counts,
// and, once the snapshot is published, no cache or earlier sticky token answers for it.
import {
  createExecutionContext,
  createMessageBatch,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { erasureKey } from "../../src/core";
import type { Env } from "../../src/edge/env";
import { consumeEvents } from "../../src/edge/events/consumer";
import { createApp } from "../../src/edge/http/app";
import { admin, BASE, callsOf, fiftyFifty, ok, problem, publish, runningExperiment, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

const signed = { ...env, STICKY_SECRET: "erasure-secret" };
const actorStub = (actor: string) => env.ACTORS.get(env.ACTORS.idFromName(actor));

/** Every row the actor's object holds, by table (its migration record aside). */
const rowsOf = (actor: string) =>
  runInDurableObject(actorStub(actor), (_, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
      )
      .toArray()
      .map((t) => t.name);
    return Object.fromEntries(
      tables.map((table) => [table, state.storage.sql.exec(`SELECT COUNT(*) AS n FROM ${table}`).one().n]),
    );
  });

async function assign(app: ReturnType<typeof createApp>, experiment: string, actor: string, token?: string) {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = token === undefined ? {} : { "x-experiment-sticky": token };
  const response = await app.fetch(
    new Request(`${BASE}/v1/assign/${experiment}?actor=${actor}`, { headers }),
    signed,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const body = (await response.json()) as { variant: string; is_override: boolean };
  return { body, calls: callsOf(response).actor, token: response.headers.get("x-experiment-sticky") };
}

describe("erasing an actor", () => {
  it("removes its assignments, overrides, metric totals and event ids, and records 'erased' without its id", async () => {
    const [a, b, c] = [unique("erase-a"), unique("erase-b"), unique("erase-c")];
    for (const name of [a, b])
      await runningExperiment(name, { ...fiftyFifty, metrics: [{ name: "spend", kind: "sum" }] });
    await runningExperiment(c);
    const actor = unique("person");
    const app = createApp();
    await assign(app, a, actor);
    await assign(app, b, actor);
    await ok(admin("PUT", `/experiments/${c}/overrides/${actor}`, { variant: "treatment" }));
    vi.spyOn(console, "info").mockImplementation(() => undefined);
    const spend = {
      kind: "track",
      actor,
      event: "spend",
      value: 5,
      id: "order-1",
      timestamp_secs: Math.floor(Date.now() / 1000),
    };
    await consumeEvents(
      createMessageBatch("experiment-events", [
        { id: `erase-${actor}`, timestamp: 0, attempts: 1, body: { events: [spend] } },
      ]),
      env as unknown as Env,
    );
    const before = await rowsOf(actor);
    expect(before).toMatchObject({ assignments: 2, overrides: 1, metric_totals: 2, event_ids: 1 });
    const spent = async () =>
      (
        await ok<{ metrics: { variants: { sum: number }[] }[] }>(admin("GET", `/experiments/${a}/results`))
      ).metrics[0]?.variants.reduce((s, v) => s + v.sum, 0);
    expect(await spent()).toBe(5);

    await ok(admin("DELETE", `/actors/${actor}`, undefined, { "x-admin-actor": "dpo@example.com" }), 204);
    const after = await rowsOf(actor);
    expect(
      Object.values(after).every((n) => n === 0),
      JSON.stringify(after),
    ).toBe(true);
    await problem(admin("GET", `/experiments/${a}/assignments/${actor}`), 404, "not_found");
    expect((await ok<{ overrides: unknown[] }>(admin("GET", `/experiments/${c}/overrides`))).overrides).toEqual([]);
    for (const name of [a, b, c]) {
      const { history } = await ok<{ history: { mutation: string; actor: string }[] }>(
        admin("GET", `/experiments/${name}/history`),
      );
      expect(history[0]).toMatchObject({ mutation: "erased", actor: "admin/dpo@example.com" });
      expect(JSON.stringify(history)).not.toContain(actor); // not even the entries from before
    }
    const { history } = await ok<{ history: { mutation: string }[] }>(admin("GET", `/experiments/${c}/history`));
    expect(history.map((h) => h.mutation)).toContain("override=(erased):treatment");
    expect(await spent()).toBe(5); // aggregated counts stay
    // Idempotent.
    await ok(admin("DELETE", `/actors/${actor}`), 204);
  });

  it("publishes the erasure under a key, not the actor's id, and drops the actor's overrides from the snapshot", async () => {
    const name = unique("erase-snap");
    await runningExperiment(name);
    const actor = unique("snap-person");
    await ok(admin("PUT", `/experiments/${name}/overrides/${actor}`, { variant: "control" }));
    await publish();
    await ok(admin("DELETE", `/actors/${actor}`), 204);
    await publish();
    const text = (await env.CONFIG.get("config-snapshot:v1")) as string;
    expect(text).not.toContain(actor);
    const snapshot = JSON.parse(text) as { erasures: [string, number][] };
    const key = await erasureKey(actor);
    expect(snapshot.erasures.find(([k]) => k === key)?.[1]).toBeGreaterThan(0);
  });

  it("voids what the edge learned before: the isolate's cache and sticky tokens issued before the erasure", async () => {
    const name = unique("erase-edge");
    await runningExperiment(name);
    const actor = unique("edge-person");
    const app = createApp();
    const first = await assign(app, name, actor);
    expect((await assign(app, name, actor)).calls).toBe(0); // cached
    const token = first.token as string;
    expect(token).toMatch(/^v2\./);
    // Erased, then every new actor gets treatment: an answer from before would say otherwise.
    await ok(admin("DELETE", `/actors/${actor}`), 204);
    await ok(
      admin("PUT", `/experiments/${name}/weights`, {
        variants: [
          { name: "control", weight: 0 },
          { name: "treatment", weight: 1 },
        ],
      }),
    );
    await publish();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a token issued later is in a later second
    const cached = await assign(app, name, actor);
    expect(cached).toMatchObject({ calls: 1, body: { variant: "treatment" } });
    const withOldToken = await assign(createApp(), name, actor, token);
    expect(withOldToken.calls).toBe(1);
    expect(withOldToken.body.variant).toBe("treatment");
    // A token issued after the erasure is trusted again.
    const fresh = await assign(createApp(), name, actor, withOldToken.token ?? cached.token ?? "");
    expect(fresh.calls).toBe(0);
  }, 30_000);
});
