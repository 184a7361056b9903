import { describe, expect, it } from "vitest";
import { CallCounter } from "../../src/edge/calls";
import { ConfigCache } from "../../src/edge/config-cache";
import type { Env } from "../../src/edge/env";
import { SNAPSHOT_KEY } from "../../src/edge/snapshot";
import { fiftyFifty } from "./helpers";

/** An Env whose KV serves one snapshot (or fails) and counts its reads. */
function kvEnv(behaviour: { fail?: boolean } = {}) {
  const state = { reads: 0, fail: behaviour.fail ?? false };
  const CONFIG = {
    get: async (key: string) => {
      state.reads++;
      await new Promise((r) => setTimeout(r, 5));
      if (state.fail) throw new Error("kv down");
      return key === SNAPSHOT_KEY ? { version: 7, experiments: [{ ...fiftyFifty("exp"), state: "running" }] } : null;
    },
  };
  return { env: { CONFIG } as unknown as Env, state };
}

describe("ConfigCache", () => {
  it("shares one KV read between concurrent misses, then serves from memory within the TTL", async () => {
    const cache = new ConfigCache();
    const { env, state } = kvEnv();
    const calls = Array.from({ length: 10 }, () => new CallCounter());
    const snapshots = await Promise.all(calls.map((c) => cache.load(env, 1000, c)));
    expect(state.reads).toBe(1);
    expect(calls.reduce((sum, c) => sum + c.kv, 0)).toBe(1);
    expect(new Set(snapshots).size).toBe(1);
    expect(snapshots[0]?.get("exp")?.state).toBe("running");
    await cache.load(env, 1000, new CallCounter());
    expect(state.reads).toBe(1);
  });

  it("reads KV on every load when the TTL is 0", async () => {
    const cache = new ConfigCache();
    const { env, state } = kvEnv();
    for (let i = 0; i < 3; i++) await cache.load(env, 0, new CallCounter());
    expect(state.reads).toBe(3);
  });

  it("keeps serving the last snapshot when KV fails after the TTL", async () => {
    const cache = new ConfigCache();
    const { env, state } = kvEnv();
    const first = await cache.load(env, 1, new CallCounter());
    await new Promise((r) => setTimeout(r, 5));
    state.fail = true;
    expect(await cache.load(env, 1, new CallCounter())).toBe(first);
    expect(state.reads).toBe(2);
  });

  it("is store_unavailable when KV fails and nothing is cached", async () => {
    const { env } = kvEnv({ fail: true });
    await expect(new ConfigCache().load(env, 1000, new CallCounter())).rejects.toMatchObject({
      code: "store_unavailable",
    });
  });
});
