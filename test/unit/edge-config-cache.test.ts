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
      return key === SNAPSHOT_KEY ? snapshotOf(7) : null;
    },
  };
  return { env: { CONFIG } as unknown as Env, state };
}

/** A published snapshot with one running experiment, at `version`. */
function snapshotOf(version: number) {
  return { version, experiments: [{ ...fiftyFifty("exp"), state: "running" }] };
}

describe("ConfigCache", () => {
  it("serves from memory within the TTL", async () => {
    const cache = new ConfigCache();
    const { env, state } = kvEnv();
    const first = await cache.load(env, 1000, new CallCounter());
    expect(first.get("exp")?.state).toBe("running");
    const calls = new CallCounter();
    expect(await cache.load(env, 1000, calls)).toBe(first);
    expect(state.reads).toBe(1);
    expect(calls.kv).toBe(0);
  });

  it("does not hold one request up on another's read", async () => {
    // The first read never settles, as if its request had been cancelled mid-read.
    let reads = 0;
    const CONFIG = {
      get: (key: string) => {
        reads++;
        if (reads === 1) return new Promise(() => {});
        return Promise.resolve(key === SNAPSHOT_KEY ? snapshotOf(3) : null);
      },
    };
    const env = { CONFIG } as unknown as Env;
    const cache = new ConfigCache();
    void cache.load(env, 1000, new CallCounter());
    const calls = new CallCounter();
    const snapshot = await cache.load(env, 1000, calls);
    expect(snapshot.version).toBe(3);
    expect(calls.kv).toBe(1);
  });

  it("keeps the read begun last when overlapping reads finish out of order", async () => {
    const releases: ((value: unknown) => void)[] = [];
    const CONFIG = { get: () => new Promise((resolve) => releases.push(resolve)) };
    const env = { CONFIG } as unknown as Env;
    const cache = new ConfigCache();
    const older = cache.load(env, 60_000, new CallCounter());
    const newer = cache.load(env, 60_000, new CallCounter());
    releases[1]?.(snapshotOf(2));
    expect((await newer).version).toBe(2);
    releases[0]?.(snapshotOf(1));
    expect((await older).version).toBe(1);
    expect((await cache.load(env, 60_000, new CallCounter())).version).toBe(2);
    expect(releases).toHaveLength(2);
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
