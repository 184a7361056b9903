import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/edge/env";
import { settingsOf } from "../../src/edge/settings";

const withTtl = (value: string | undefined) => ({ CONFIG_CACHE_TTL_MS: value }) as Env;

afterEach(() => vi.restoreAllMocks());

describe("settingsOf", () => {
  it("defaults CONFIG_CACHE_TTL_MS to 1000 and accepts whole numbers, 0 included", () => {
    expect(settingsOf(withTtl(undefined)).configCacheTtlMs).toBe(1000);
    expect(settingsOf(withTtl("250")).configCacheTtlMs).toBe(250);
    expect(settingsOf(withTtl("0")).configCacheTtlMs).toBe(0);
  });

  it("falls back to the default for a malformed value, and says so once", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    for (let i = 0; i < 3; i++) expect(settingsOf(withTtl("1.5s")).configCacheTtlMs).toBe(1000);
    expect(settingsOf(withTtl("-1")).configCacheTtlMs).toBe(1000);
    expect(errors).toHaveBeenCalledTimes(2);
  });

  it("defaults EVENTS_FLUSH_MS to 1000 and refuses a window a request's waitUntil could not outlive", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const withFlush = (value: string | undefined) => ({ EVENTS_FLUSH_MS: value }) as Env;
    expect(settingsOf(withFlush(undefined)).eventsFlushMs).toBe(1000);
    expect(settingsOf(withFlush("0")).eventsFlushMs).toBe(0);
    expect(settingsOf(withFlush("10000")).eventsFlushMs).toBe(10_000);
    expect(settingsOf(withFlush("10001")).eventsFlushMs).toBe(1000);
    expect(errors).toHaveBeenCalledTimes(1);
  });
});
