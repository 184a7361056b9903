import type { Env } from "./env";

/** The Worker's vars, parsed. */
export interface Settings {
  configCacheTtlMs: number;
  debugHeaders: boolean;
}

const DEFAULT_CONFIG_CACHE_TTL_MS = 1000;

/**
 * Reads the vars once per distinct set of values (an isolate sees the same ones on
 * every request). A malformed value falls back to the default and is reported once,
 * rather than failing every request.
 */
let parsed: { ttl: string | undefined; debug: string | undefined; settings: Settings } | undefined;
export function settingsOf(env: Env): Settings {
  const ttl = env.CONFIG_CACHE_TTL_MS;
  const debug = env.DEBUG_HEADERS;
  if (parsed !== undefined && parsed.ttl === ttl && parsed.debug === debug) return parsed.settings;
  const settings = { configCacheTtlMs: ttlOf(ttl), debugHeaders: debug === "1" };
  parsed = { ttl, debug, settings };
  return settings;
}

function ttlOf(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_CONFIG_CACHE_TTL_MS;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 0) return value;
  console.error(
    `CONFIG_CACHE_TTL_MS=${JSON.stringify(raw)} is not a whole number of ms; using ${DEFAULT_CONFIG_CACHE_TTL_MS}`,
  );
  return DEFAULT_CONFIG_CACHE_TTL_MS;
}
