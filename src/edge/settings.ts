import type { Env } from "./env";

/** The Worker's vars, parsed. */
export interface Settings {
  configCacheTtlMs: number;
  debugHeaders: boolean;
  stickyCacheSize: number;
  /** How long an isolate gathers events before sending them together (`EventBuffer`). */
  eventsFlushMs: number;
}

const DEFAULT_CONFIG_CACHE_TTL_MS = 1000;
// Measured at 300–630 bytes an answer (scripts/measure-sticky-cache.mjs): at most about 12 MiB of
// the 128 MB an isolate may use.
const DEFAULT_STICKY_CACHE_SIZE = 20_000;
// Long enough for a busy isolate to fill a message (100 events) many times over, short
// enough that counts lag the queue's own batch delay by little; well inside the 30 s a
// request's waitUntil may outlive it.
const DEFAULT_EVENTS_FLUSH_MS = 1000;
const MAX_EVENTS_FLUSH_MS = 10_000;

/**
 * Reads the vars once per distinct set of values (an isolate sees the same ones on
 * every request). A malformed value falls back to the default and is reported once,
 * rather than failing every request.
 */
let parsed: { ttl?: string; debug?: string; sticky?: string; flush?: string; settings: Settings } | undefined;
export function settingsOf(env: Env): Settings {
  // Compared field by field: this runs on every request, so it builds nothing.
  const ttl = env.CONFIG_CACHE_TTL_MS;
  const debug = env.DEBUG_HEADERS;
  const sticky = env.STICKY_CACHE_SIZE;
  const flush = env.EVENTS_FLUSH_MS;
  if (
    parsed !== undefined &&
    parsed.ttl === ttl &&
    parsed.debug === debug &&
    parsed.sticky === sticky &&
    parsed.flush === flush
  ) {
    return parsed.settings;
  }
  const settings = {
    configCacheTtlMs: wholeNumber("CONFIG_CACHE_TTL_MS", env.CONFIG_CACHE_TTL_MS, DEFAULT_CONFIG_CACHE_TTL_MS),
    debugHeaders: env.DEBUG_HEADERS === "1",
    stickyCacheSize: wholeNumber("STICKY_CACHE_SIZE", env.STICKY_CACHE_SIZE, DEFAULT_STICKY_CACHE_SIZE),
    eventsFlushMs: wholeNumber("EVENTS_FLUSH_MS", flush, DEFAULT_EVENTS_FLUSH_MS, MAX_EVENTS_FLUSH_MS),
  };
  parsed = { ttl, debug, sticky, flush, settings };
  return settings;
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 0 && value <= max) return value;
  console.error(`${name}=${JSON.stringify(raw)} is not a whole number from 0 to ${max}; using ${fallback}`);
  return fallback;
}
