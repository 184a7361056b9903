import { ExperimentError } from "../core";
import type { CallCounter } from "./calls";
import type { Env } from "./env";
import { CompiledSnapshot, type ConfigSnapshot, SNAPSHOT_KEY } from "./snapshot";

/**
 * The edge's view of the experiment configs: the registry's KV snapshot, kept in
 * isolate memory for `CONFIG_CACHE_TTL_MS`. In steady state an assignment reads no KV
 * at all; concurrent misses share one read; and if KV fails while an older snapshot is
 * at hand, that one keeps serving (stale configs beat failed assignments).
 */
export class ConfigCache {
  private cached: { snapshot: CompiledSnapshot; fetchedAt: number } | null = null;
  private inflight: Promise<CompiledSnapshot> | null = null;

  async load(env: Env, ttlMs: number, calls: CallCounter): Promise<CompiledSnapshot> {
    if (this.cached !== null && ttlMs > 0 && Date.now() - this.cached.fetchedAt < ttlMs) return this.cached.snapshot;
    if (this.inflight !== null && ttlMs > 0) return this.inflight;
    calls.kv++;
    const read = fetchSnapshot(env);
    this.inflight = read;
    try {
      const snapshot = await read;
      this.cached = { snapshot, fetchedAt: Date.now() };
      return snapshot;
    } catch (error) {
      const unavailable = error instanceof ExperimentError && error.code === "store_unavailable";
      if (unavailable && this.cached !== null) return this.cached.snapshot;
      throw error;
    } finally {
      if (this.inflight === read) this.inflight = null;
    }
  }
}

/** A failed KV read is `store_unavailable`; a snapshot that does not compile is a bug. */
async function fetchSnapshot(env: Env): Promise<CompiledSnapshot> {
  let raw: ConfigSnapshot | null;
  try {
    raw = await env.CONFIG.get<ConfigSnapshot>(SNAPSHOT_KEY, "json");
  } catch (error) {
    console.error("config snapshot read failed", error);
    throw ExperimentError.storeUnavailable("the config store did not answer; retry");
  }
  // Nothing published yet: a fresh deployment with no experiments.
  return raw === null ? CompiledSnapshot.empty() : new CompiledSnapshot(raw);
}
