import type { QueueBody } from "./events/messages";
import type { ActorObject } from "./objects/actor/actor-object";
import type { RegistryObject } from "./objects/registry/registry-object";
import type { StatsObject } from "./objects/stats/stats-object";

/**
 * The Worker's bindings and vars, as wrangler.toml and secrets provide them. The
 * object classes declare the (smaller) sets of bindings they use themselves, so that
 * nothing imports this module back.
 */
export interface Env {
  /** KV namespace holding the published config snapshot. */
  CONFIG: KVNamespace;
  /** One Durable Object per actor: sticky assignments and overrides. */
  ACTORS: DurableObjectNamespace<ActorObject>;
  /** The single registry Durable Object: authoritative configs, history, override index. */
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  /** One Durable Object per experiment: counted enrolments and exposures. */
  STATS: DurableObjectNamespace<StatsObject>;
  /**
   * The events queue (producer; this Worker is also its consumer). Unbound, exposures
   * are logged on the request path and nothing is counted.
   */
  EVENTS?: Queue<QueueBody>;
  /**
   * Optional R2 bucket: the consumer also writes every event there, as gzip NDJSON by
   * day (`src/edge/events/archive.ts`), for a warehouse. Unbound: nothing is archived.
   */
  EVENTS_ARCHIVE?: R2Bucket;
  /** `off`: the consumer does not write exposure log lines (the counts are kept either way). */
  EXPOSURE_LOG?: string;
  /** Secret: a `write` admin token named `admin`. */
  ADMIN_TOKEN?: string;
  /**
   * Secret: `name:scope:token` entries, comma-separated, scope `read` or `write`. With
   * neither this nor `ADMIN_TOKEN`, or with a malformed entry, every admin request is
   * refused (503 admin_disabled).
   */
  ADMIN_TOKENS?: string;
  /** How long an isolate keeps the config snapshot, in ms. Default 1000; 0 disables. */
  CONFIG_CACHE_TTL_MS?: string;
  /** How many sticky answers an isolate keeps (least recently used go first). Default 20000; 0 disables. */
  STICKY_CACHE_SIZE?: string;
  /** How long (ms) an isolate gathers events before sending them as one message. Default 1000, at most 10000. */
  EVENTS_FLUSH_MS?: string;
  /** Secret: signs the sticky token (`exp_sticky`); without it no token is issued or read. */
  STICKY_SECRET?: string;
  /** Secret: the previous `STICKY_SECRET`, still accepted while tokens signed with it expire. */
  STICKY_SECRET_PREVIOUS?: string;
  /**
   * Origins whose pages may call the public assignment routes from a browser (CORS, with
   * credentials), comma-separated: `https://shop.example.com,http://localhost:5173`.
   * Unset or empty: none. Admin routes never answer another origin.
   */
  CORS_ORIGINS?: string;
  /** `1`: webhook URLs may be `http://` (local development and tests); otherwise `https://` only. */
  WEBHOOK_ALLOW_HTTP?: string;
  /** `1`: responses carry `X-Edge-Calls` and `X-Exposures` (internal topology; off in production). */
  DEBUG_HEADERS?: string;
}
