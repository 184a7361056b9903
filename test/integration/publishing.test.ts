// How admin changes reach the edge: the registry's coalesced KV publish, and the
// isolate's config cache.
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { SNAPSHOT_KEY } from "../../src/edge/config/snapshot";
import { createApp } from "../../src/edge/http/app";
import { admin, call, fiftyFifty, ok, publish, runningExperiment, unique } from "./helpers";

const registry = () => env.REGISTRY.get(env.REGISTRY.idFromName("registry"));

async function publishState() {
  return runInDurableObject(registry(), async (_, state) => ({
    alarm: await state.storage.getAlarm(),
    ...state.storage.sql
      .exec<{ version: number; published_at_ms: number }>("SELECT version, published_at_ms FROM publish_state")
      .one(),
  }));
}

describe("publishing configs to KV", () => {
  it("publishes every experiment's config under one key", async () => {
    const name = unique("published");
    await runningExperiment(name);
    const snapshot = await env.CONFIG.get<{ version: number; experiments: { name: string; state: string }[] }>(
      SNAPSHOT_KEY,
      "json",
    );
    expect(snapshot?.experiments.find((c) => c.name === name)?.state).toBe("running");
    expect(snapshot?.version).toBe((await publishState()).version);
  });

  it("coalesces writes: a change right after a publish waits a full second for the next one", async () => {
    const name = unique("coalesce");
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    await publish();
    const { published_at_ms } = await publishState();
    await ok(admin("POST", `/experiments/${name}/start`));
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "control" }));
    const pending = await publishState();
    expect(pending.alarm).not.toBeNull();
    expect(pending.alarm).toBeGreaterThanOrEqual(published_at_ms + 1000);
    // Both changes go out in the one coalesced write.
    expect(await runDurableObjectAlarm(registry())).toBe(true);
    const snapshot = await env.CONFIG.get<{ experiments: { name: string; state: string }[] }>(SNAPSHOT_KEY, "json");
    expect(snapshot?.experiments.find((c) => c.name === name)?.state).toBe("concluded");
    expect((await publishState()).alarm).toBeNull();
  });

  it("counts nothing as published until the KV write succeeds, and keeps retrying it", async () => {
    const name = unique("kv-retry");
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    onTestFinished(() => errors.mockRestore());
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    await runInDurableObject(registry(), async (instance, state) => {
      const realEnv = Reflect.get(instance, "env");
      Reflect.set(instance, "env", { ...realEnv, CONFIG: { put: () => Promise.reject(new Error("kv down")) } });
      // Failing more times than the runtime would retry a throwing alarm (six).
      for (let attempt = 0; attempt < 8; attempt++) {
        const before = Date.now();
        await instance.alarm();
        // Each failure re-arms the alarm itself, about five seconds out.
        expect(await state.storage.getAlarm()).toBeGreaterThanOrEqual(before + 5000);
      }
      Reflect.set(instance, "env", realEnv);
      const failed = state.storage.sql
        .exec<{ version: number; published_version: number }>("SELECT version, published_version FROM publish_state")
        .one();
      expect(failed.published_version).toBeLessThan(failed.version);
      await instance.alarm();
      const retried = state.storage.sql
        .exec<{ version: number; published_version: number }>("SELECT version, published_version FROM publish_state")
        .one();
      expect(retried.published_version).toBe(retried.version);
    });
    const snapshot = await env.CONFIG.get<{ experiments: { name: string }[] }>(SNAPSHOT_KEY, "json");
    expect(snapshot?.experiments.map((c) => c.name)).toContain(name);
    expect(errors).toHaveBeenCalledTimes(8); // each failed write logged, and the last one not
    expect(errors).toHaveBeenCalledWith("config publish failed; trying again shortly", expect.any(Error));
    await publish(); // clear the alarm the mutation set
  });

  it("publishes override changes too, since the snapshot carries each experiment's overrides", async () => {
    const name = unique("override-publish");
    await runningExperiment(name);
    await ok(admin("PUT", `/experiments/${name}/overrides/qa:1`, { variant: "control" }));
    expect((await publishState()).alarm).not.toBeNull();
    await publish();
    type Overrides = { overrides: [string, string, string][] };
    const snapshot = await env.CONFIG.get<Overrides>(SNAPSHOT_KEY, "json");
    expect(snapshot?.overrides.filter(([experiment]) => experiment === name)).toEqual([[name, "qa:1", "control"]]);
    await ok(admin("DELETE", `/experiments/${name}/overrides/qa:1`), 204);
    await publish();
    const after = await env.CONFIG.get<Overrides>(SNAPSHOT_KEY, "json");
    expect(after?.overrides.filter(([experiment]) => experiment === name)).toEqual([]);
  });

  it("carries only running experiments' overrides: the edge never reads the others'", async () => {
    const name = unique("override-running");
    await runningExperiment(name);
    await ok(admin("PUT", `/experiments/${name}/overrides/qa:2`, { variant: "control" }));
    type Overrides = { overrides: [string, string, string][] };
    const published = async () => {
      await publish();
      const snapshot = await env.CONFIG.get<Overrides>(SNAPSHOT_KEY, "json");
      return snapshot?.overrides.filter(([experiment]) => experiment === name);
    };
    expect(await published()).toEqual([[name, "qa:2", "control"]]);
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "treatment" }));
    expect(await published()).toEqual([]);
    // Kept by the registry: running again, the override is back at the edge, and answers.
    await ok(admin("POST", `/experiments/${name}/start`));
    expect(await published()).toEqual([[name, "qa:2", "control"]]);
    const answer = await ok<{ variant: string; is_override: boolean }>(call("GET", `/v1/assign/${name}?actor=qa:2`));
    expect(answer).toMatchObject({ variant: "control", is_override: true });
  });
});

describe("the edge config cache", () => {
  it("serves a snapshot for CONFIG_CACHE_TTL_MS, then sees the change", async () => {
    const name = unique("ttl");
    await runningExperiment(name);
    const app = createApp();
    const edgeEnv = { ...env, CONFIG_CACHE_TTL_MS: "1500" };
    const assign = async () => {
      const response = await app.fetch(
        new Request(`https://edge.test/v1/assign/${name}?actor=ttl-user`),
        edgeEnv,
        createExecutionContext(),
      );
      return (await response.json()) as { variant?: string; code?: string };
    };
    const before = await assign();
    expect(before.variant).toMatch(/^(control|treatment)$/);
    await ok(admin("POST", `/experiments/${name}/archive`));
    await publish();
    expect(await assign()).toEqual(before); // still the cached, running config
    await new Promise((r) => setTimeout(r, 1600));
    expect((await assign()).code).toBe("archived");
  });
});

describe("a snapshot in KV that does not parse", () => {
  it("keeps the previous snapshot in use, and is 503 store_unavailable where there is none", async () => {
    const name = unique("corrupt");
    await runningExperiment(name);
    const published = await env.CONFIG.get(SNAPSHOT_KEY);
    const app = createApp();
    const assign = (edge: ReturnType<typeof createApp>) =>
      edge.fetch(new Request(`https://edge.test/v1/assign/${name}?actor=u`), env, createExecutionContext());
    expect((await assign(app)).status).toBe(200);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await env.CONFIG.put(SNAPSHOT_KEY, JSON.stringify({ format: 1, version: 1, experiments: [{ name: 42 }] }));
      expect((await assign(app)).status).toBe(200);
      const fresh = await assign(createApp());
      expect(fresh.status).toBe(503);
      expect(((await fresh.json()) as { code: string }).code).toBe("store_unavailable");
      expect(errors).toHaveBeenCalledWith("config snapshot does not parse", "experiments.0.name", expect.any(String));
    } finally {
      await env.CONFIG.put(SNAPSHOT_KEY, published ?? "");
      errors.mockRestore();
    }
  });
});

describe("Durable Object schemas", () => {
  it("are created by recorded, versioned migrations", async () => {
    const tables = (state: DurableObjectState) =>
      state.storage.sql.exec<{ id: number; description: string }>("SELECT id, description FROM _migrations").toArray();
    expect(await runInDurableObject(registry(), (_, state) => tables(state))).toEqual([
      { id: 1, description: "experiments, change history, override index, publish state" },
      { id: 2, description: "the variants and weights of every config revision" },
      { id: 3, description: "holdouts and their change history" },
      { id: 4, description: "webhooks, the deliveries waiting for the queue, and the deliveries answered" },
      { id: 5, description: "erased actors, by erasure key, for as long as the edge must be told" },
    ]);
    const actor = env.ACTORS.get(env.ACTORS.idFromName(unique("schema-actor")));
    expect(await runInDurableObject(actor, (_, state) => tables(state))).toEqual([
      { id: 1, description: "sticky assignments and overrides of one actor" },
      { id: 2, description: "overrides shadow sticky assignments instead of overwriting them" },
      {
        id: 3,
        description: "each assignment records its exclusion group; v1 override rows without an override are plain",
      },
      {
        id: 4,
        description: "an outbox of enrolments until they are counted",
      },
      {
        id: 5,
        description: "tracked events: per-metric totals, the event ids seen, and each queue message's attribution",
      },
      {
        id: 6,
        description: "each holdout's arm the actor is in, from the first time it passed eligibility for a member",
      },
    ]);
  });
});
