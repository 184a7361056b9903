import { ExperimentError } from "../core";
import type { CallCounter } from "./calls";
import type { Env } from "./env";
import { CompiledSnapshot, type ConfigSnapshot, SNAPSHOT_KEY } from "./snapshot";

/**
 * The edge's view of the experiment configs: the registry's KV snapshot, kept in
 * isolate memory for `CONFIG_CACHE_TTL_MS`. In steady state an assignment reads no KV
 * at all; and if KV fails while an older snapshot is at hand, that one keeps serving
 * (stale configs beat failed assignments).
 *
 * Concurrent misses each read KV themselves rather than await one shared read: a
 * read belongs to the request that started it, and if that request is cancelled (its
 * client went away) the others must not be left waiting on it. The cost is a few
 * extra reads in the moment a TTL runs out.
 */
export class ConfigCache {
  private cached: { snapshot: CompiledSnapshot; fetchedAt: number; read: number } | null = null;
  /** KV reads begun, so that of overlapping reads the one begun last is kept. */
  private reads = 0;

  async load(env: Env, ttlMs: number, calls: CallCounter): Promise<CompiledSnapshot> {
    const cached = this.cached;
    if (cached !== null && ttlMs > 0 && Date.now() - cached.fetchedAt < ttlMs) return cached.snapshot;
    calls.kv++;
    const read = ++this.reads;
    let snapshot: CompiledSnapshot;
    try {
      snapshot = await fetchSnapshot(env);
    } catch (error) {
      const unavailable = error instanceof ExperimentError && error.code === "store_unavailable";
      if (unavailable && this.cached !== null) return this.cached.snapshot;
      throw error;
    }
    if (this.cached === null || read > this.cached.read) this.cached = { snapshot, fetchedAt: Date.now(), read };
    return snapshot;
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
