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
let cached: { snapshot: CompiledSnapshot; fetchedAt: number } | null = null;
let inflight: Promise<CompiledSnapshot> | null = null;

export async function loadSnapshot(env: Env, ttlMs: number, calls: CallCounter): Promise<CompiledSnapshot> {
  if (cached !== null && ttlMs > 0 && Date.now() - cached.fetchedAt < ttlMs) return cached.snapshot;
  if (inflight !== null && ttlMs > 0) return inflight;
  calls.kv++;
  const read = fetchSnapshot(env);
  inflight = read;
  try {
    const snapshot = await read;
    cached = { snapshot, fetchedAt: Date.now() };
    return snapshot;
  } catch (error) {
    console.error("config snapshot read failed", error);
    if (cached !== null) return cached.snapshot;
    throw ExperimentError.storeUnavailable("the config store did not answer");
  } finally {
    if (inflight === read) inflight = null;
  }
}

async function fetchSnapshot(env: Env): Promise<CompiledSnapshot> {
  const raw = await env.CONFIG.get<ConfigSnapshot>(SNAPSHOT_KEY, "json");
  // Nothing published yet: a fresh deployment with no experiments.
  return raw === null ? CompiledSnapshot.empty() : new CompiledSnapshot(raw);
}
