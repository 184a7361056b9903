import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigCache } from "../../src/edge/config/cache";
import { SNAPSHOT_KEY } from "../../src/edge/config/snapshot";
import { fiftyFifty } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** A published snapshot with one running experiment, at `version`, as KV holds it. */
function snapshotOf(version: number): string {
  return JSON.stringify({ format: 1, version, experiments: [{ ...fiftyFifty("exp"), state: "running" }] });
}

/** A KV namespace that serves `value` (or fails) and counts its reads. */
function kvOf(behaviour: { fail?: boolean; value?: string } = {}) {
  const state = { reads: 0, fail: behaviour.fail ?? false, value: behaviour.value ?? snapshotOf(7) };
  const kv = {
    get: async (key: string) => {
      state.reads++;
      await new Promise((r) => setTimeout(r, 5));
      if (state.fail) throw new Error("kv down");
      return key === SNAPSHOT_KEY ? state.value : null;
    },
  } as unknown as KVNamespace;
  return { kv, state };
}

describe("ConfigCache", () => {
  it("serves from memory within the TTL", async () => {
    const cache = new ConfigCache();
    const { kv, state } = kvOf();
    const first = await cache.load(kv, 1000);
    expect(await cache.load(kv, 1000)).toBe(first);
    expect(state.reads).toBe(1);
  });

  it("does not hold one request up on another's read", async () => {
    // The first read never settles, as if its request had been cancelled mid-read.
    let reads = 0;
    const kv = {
      get: (key: string) => {
        reads++;
        if (reads === 1) return new Promise(() => {});
        return Promise.resolve(key === SNAPSHOT_KEY ? snapshotOf(3) : null);
      },
    } as unknown as KVNamespace;
    const cache = new ConfigCache();
    void cache.load(kv, 1000);
    expect((await cache.load(kv, 1000)).version).toBe(3);
    expect(reads).toBe(2);
  });

  it("keeps the read begun last when overlapping reads finish out of order", async () => {
    const releases: ((value: unknown) => void)[] = [];
    const kv = { get: () => new Promise((resolve) => releases.push(resolve)) } as unknown as KVNamespace;
    const cache = new ConfigCache();
    const older = cache.load(kv, 60_000);
    const newer = cache.load(kv, 60_000);
    releases[1]?.(snapshotOf(2));
    expect((await newer).version).toBe(2);
    releases[0]?.(snapshotOf(1));
    expect((await older).version).toBe(2); // never a step back to an older snapshot
    expect((await cache.load(kv, 60_000)).version).toBe(2);
    expect(releases).toHaveLength(2);
  });

  it("keeps the newer snapshot when KV answers with an older version", async () => {
    const cache = new ConfigCache();
    const { kv, state } = kvOf({ value: snapshotOf(9) });
    expect((await cache.load(kv, 0)).version).toBe(9);
    state.value = snapshotOf(8);
    expect((await cache.load(kv, 0)).version).toBe(9);
    state.value = snapshotOf(10);
    expect((await cache.load(kv, 0)).version).toBe(10);
  });

  it("reuses the parsed snapshot while KV holds the same text, and parses a new one when it changes", async () => {
    const cache = new ConfigCache();
    const { kv, state } = kvOf({ value: snapshotOf(4) });
    const first = await cache.load(kv, 0);
    expect(await cache.load(kv, 0)).toBe(first);
    expect(state.reads).toBe(2);
    state.value = snapshotOf(5);
    const changed = await cache.load(kv, 0);
    expect(changed).not.toBe(first);
    expect(changed.version).toBe(5);
  });

  it("reads KV on every load when the TTL is 0", async () => {
    const cache = new ConfigCache();
    const { kv, state } = kvOf();
    for (let i = 0; i < 3; i++) await cache.load(kv, 0);
    expect(state.reads).toBe(3);
  });

  it("keeps serving the last snapshot when KV fails after the TTL", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const cache = new ConfigCache();
    const { kv, state } = kvOf();
    const first = await cache.load(kv, 1);
    await new Promise((r) => setTimeout(r, 5));
    state.fail = true;
    expect(await cache.load(kv, 1)).toBe(first);
    expect(state.reads).toBe(2);
  });

  it("is store_unavailable when KV fails and nothing is cached", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { kv } = kvOf({ fail: true });
    await expect(new ConfigCache().load(kv, 1000)).rejects.toMatchObject({ code: "store_unavailable" });
  });

  it.each([
    ["not JSON", "{nope"],
    ["of another format", JSON.stringify({ format: 2, version: 9, experiments: [] })],
    ["missing a config field", JSON.stringify({ version: 9, experiments: [{ name: "exp" }] })],
  ])("keeps the previous snapshot when the published value is %s, and says so once per TTL", async (_, bad) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const cache = new ConfigCache();
    const { kv, state } = kvOf();
    const first = await cache.load(kv, 50);
    state.value = bad;
    await new Promise((r) => setTimeout(r, 60));
    expect(await cache.load(kv, 50)).toBe(first);
    expect(await cache.load(kv, 50)).toBe(first);
    expect(state.reads).toBe(2);
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it("is store_unavailable when the published value does not parse and nothing is cached", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { kv } = kvOf({ value: JSON.stringify({ version: "x" }) });
    await expect(new ConfigCache().load(kv, 1000)).rejects.toMatchObject({ code: "store_unavailable" });
  });

  it("reads a snapshot written before format, targeting, coverage and started_at_secs existed", async () => {
    const { started_at_secs: _s, targeting: _t, coverage: _c, ...legacy } = { ...fiftyFifty("exp"), state: "running" };
    const { kv } = kvOf({ value: JSON.stringify({ version: 4, experiments: [legacy] }) });
    const snapshot = await new ConfigCache().load(kv, 1000);
    expect(snapshot.get("exp")?.config).toMatchObject({
      state: "running",
      started_at_secs: null,
      targeting: [],
      coverage: 10000,
    });
  });
});
