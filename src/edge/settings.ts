import type { Env } from "./env";

/** The Worker's vars, parsed. */
export interface Settings {
  configCacheTtlMs: number;
  debugHeaders: boolean;
  stickyCacheSize: number;
}

const DEFAULT_CONFIG_CACHE_TTL_MS = 1000;
// Measured at 300–630 bytes an answer (scripts/measure-sticky-cache.mjs): at most about 12 MiB of
// the 128 MB an isolate may use.
const DEFAULT_STICKY_CACHE_SIZE = 20_000;

/**
 * Reads the vars once per distinct set of values (an isolate sees the same ones on
 * every request). A malformed value falls back to the default and is reported once,
 * rather than failing every request.
 */
let parsed: { ttl?: string; debug?: string; sticky?: string; settings: Settings } | undefined;
export function settingsOf(env: Env): Settings {
  // Compared field by field: this runs on every request, so it builds nothing.
  const ttl = env.CONFIG_CACHE_TTL_MS;
  const debug = env.DEBUG_HEADERS;
  const sticky = env.STICKY_CACHE_SIZE;
  if (parsed !== undefined && parsed.ttl === ttl && parsed.debug === debug && parsed.sticky === sticky) {
    return parsed.settings;
  }
  const settings = {
    configCacheTtlMs: wholeNumber("CONFIG_CACHE_TTL_MS", env.CONFIG_CACHE_TTL_MS, DEFAULT_CONFIG_CACHE_TTL_MS),
    debugHeaders: env.DEBUG_HEADERS === "1",
    stickyCacheSize: wholeNumber("STICKY_CACHE_SIZE", env.STICKY_CACHE_SIZE, DEFAULT_STICKY_CACHE_SIZE),
  };
  parsed = { ttl, debug, sticky, settings };
  return settings;
}

function wholeNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 0) return value;
  console.error(`${name}=${JSON.stringify(raw)} is not a whole number; using ${fallback}`);
  return fallback;
}
