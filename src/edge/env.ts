import type { ExposureRecord } from "../core";
import type { ActorObject } from "./actor-object";
import type { RegistryObject } from "./registry-object";

/** The Worker's bindings and vars, as wrangler.toml and secrets provide them. */
export interface Env {
  /** KV namespace holding the published config snapshot. */
  CONFIG: KVNamespace;
  /** One Durable Object per actor: sticky assignments and overrides. */
  ACTORS: DurableObjectNamespace<ActorObject>;
  /** The single registry Durable Object: authoritative configs, history, override index. */
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  /** Optional Queue producer: when bound, exposures go there instead of the console. */
  EXPOSURE_QUEUE?: Queue<ExposureRecord>;
  /** Secret. Without it every admin request is refused (503 admin_disabled). */
  ADMIN_TOKEN?: string;
  /** How long an isolate keeps the config snapshot, in ms. Default 1000; 0 disables. */
  CONFIG_CACHE_TTL_MS?: string;
}

export interface Settings {
  configCacheTtlMs: number;
}

const DEFAULT_CONFIG_CACHE_TTL_MS = 1000;

/**
 * Reads the vars once per distinct value (the Worker sees the same `env` object on
 * every request of an isolate). A malformed value falls back to the default and is
 * reported once, rather than failing every request.
 */
let parsed: { source: string | undefined; settings: Settings } | undefined;
export function settingsOf(env: Env): Settings {
  if (parsed !== undefined && parsed.source === env.CONFIG_CACHE_TTL_MS) return parsed.settings;
  const raw = env.CONFIG_CACHE_TTL_MS;
  let ttl = DEFAULT_CONFIG_CACHE_TTL_MS;
  if (raw !== undefined && raw.trim() !== "") {
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 0) ttl = value;
    else console.error(`CONFIG_CACHE_TTL_MS=${JSON.stringify(raw)} is not a whole number of ms; using ${ttl}`);
  }
  const settings = { configCacheTtlMs: ttl };
  parsed = { source: raw, settings };
  return settings;
}

/** The registry: one object, by a fixed name. */
export function registryOf(env: Env): DurableObjectStub<RegistryObject> {
  return env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
}

/** The Durable Object that owns `actor`'s sticky assignments. */
export function actorObjectOf(env: Env, actor: string): DurableObjectStub<ActorObject> {
  return env.ACTORS.get(env.ACTORS.idFromName(actor));
}
