import { ExperimentError } from "../../core";
import { CompiledSnapshot, parseSnapshot, SNAPSHOT_KEY } from "./snapshot";

/**
 * The edge's view of the experiment configs: the registry's KV snapshot, kept in
 * isolate memory for `CONFIG_CACHE_TTL_MS`. In steady state an assignment reads no KV
 * at all, and a refill that finds the text it already parsed parses nothing. If KV
 * fails, or holds a snapshot that does not parse, while an older snapshot is at hand,
 * that one keeps serving (stale configs beat failed assignments); with none at hand,
 * the answer is `store_unavailable`.
 *
 * Concurrent misses each read KV themselves rather than await one shared read: a
 * read belongs to the request that started it, and if that request is cancelled (its
 * client went away) the others must not be left waiting on it. The cost is a few
 * extra reads in the moment a TTL runs out.
 */
export class ConfigCache {
  /** The snapshot in use, the KV text it was parsed from, when it was fetched, and by which read. */
  private cached: { snapshot: CompiledSnapshot; text: string | null; fetchedAt: number; read: number } | null = null;
  /** KV reads begun, so that of overlapping reads the one begun last is kept. */
  private reads = 0;

  async load(kv: KVNamespace, ttlMs: number): Promise<CompiledSnapshot> {
    const cached = this.cached;
    if (cached !== null && ttlMs > 0 && Date.now() - cached.fetchedAt < ttlMs) return cached.snapshot;
    const read = ++this.reads;
    let snapshot: CompiledSnapshot;
    let text: string | null;
    try {
      ({ snapshot, text } = await fetchSnapshot(kv, this.cached));
    } catch (error) {
      const unavailable = error instanceof ExperimentError && error.code === "store_unavailable";
      if (!unavailable || this.cached === null) throw error;
      // Keep serving the old snapshot, and wait a TTL before asking again, so a bad
      // value is logged once per fill rather than on every request.
      this.cached = { ...this.cached, fetchedAt: Date.now() };
      return this.cached.snapshot;
    }
    // Read again: other requests may have filled the cache while this one awaited KV.
    const latest = this.cached;
    if (latest !== null && snapshot.version < latest.snapshot.version) {
      // KV answered with an older snapshot than this isolate already serves (its
      // locations converge eventually): keep the newer one rather than step back, say to
      // an experiment that was concluded since, and ask again a TTL later.
      this.cached = { ...latest, fetchedAt: Date.now() };
      return latest.snapshot;
    }
    if (latest === null || read > latest.read) this.cached = { snapshot, text, fetchedAt: Date.now(), read };
    return snapshot;
  }
}

/**
 * The snapshot KV holds. When it is the text `known` was parsed from (configs change far
 * less often than a TTL runs out), `known`'s snapshot is reused rather than parsed and
 * indexed again on a request's time. A failed KV read, or a value that is not a
 * snapshot, is `store_unavailable`.
 */
async function fetchSnapshot(
  kv: KVNamespace,
  known: { snapshot: CompiledSnapshot; text: string | null } | null,
): Promise<{ snapshot: CompiledSnapshot; text: string | null }> {
  let text: string | null;
  try {
    text = await kv.get(SNAPSHOT_KEY, "text");
  } catch (error) {
    console.error("config snapshot read failed", error);
    throw ExperimentError.storeUnavailable("the config store did not answer; retry");
  }
  if (known !== null && text === known.text) return known;
  // Nothing published yet: a fresh deployment with no experiments.
  if (text === null) return { snapshot: CompiledSnapshot.empty(), text };
  const snapshot = parseSnapshot(text);
  if (snapshot === null) throw ExperimentError.storeUnavailable("the published configs cannot be read; retry");
  return { snapshot: new CompiledSnapshot(snapshot), text };
}
