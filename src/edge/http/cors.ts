import type { Env } from "../env";

/** The request headers a page may send to a CORS route (besides the CORS-safelisted ones). */
const ALLOWED_HEADERS = "content-type, x-actor-id, x-request-id, x-experiment-sticky";
/** The response headers a page's script may read (besides the CORS-safelisted ones). */
const EXPOSED_HEADERS = "x-request-id, x-experiment-sticky";
/** How long a browser may reuse a preflight's answer: 2 hours, Chromium's own cap. */
const MAX_AGE_SECS = "7200";

/**
 * The origins in `CORS_ORIGINS` (comma-separated, e.g. `https://shop.example.com`),
 * parsed once per value. An entry that is not a bare `http(s)://host[:port]` origin (a
 * path, `*`, `null`) makes the whole list void, logged once: answers then carry no
 * CORS headers at all, as with no list, rather than trusting part of a list that was
 * not written as meant. `*` is not allowed: responses carry credentials (the cookies).
 */
let parsed: { source: string; origins: ReadonlySet<string> } | undefined;
export function corsOrigins(env: Pick<Env, "CORS_ORIGINS">): ReadonlySet<string> {
  const source = env.CORS_ORIGINS ?? "";
  if (parsed?.source === source) return parsed.origins;
  let origins: ReadonlySet<string>;
  try {
    origins = new Set(
      source.split(",").flatMap((entry, i) => (entry.trim() === "" ? [] : [originOf(entry.trim(), i)])),
    );
  } catch (error) {
    console.error(`CORS_ORIGINS is malformed, so no origin is allowed: ${(error as Error).message}`);
    origins = new Set();
  }
  parsed = { source, origins };
  return origins;
}

function originOf(entry: string, i: number): string {
  let url: URL | null = null;
  try {
    url = new URL(entry);
  } catch {
    // reported below
  }
  const bare = url !== null && url.origin !== "null" && `${url.origin}/` === url.href;
  if (url === null || !bare || (url.protocol !== "https:" && url.protocol !== "http:")) {
    // Named by position only: an entry with user info (`https://user:pass@…`) holds a secret.
    throw new Error(`entry ${i + 1} is not an origin such as https://shop.example.com`);
  }
  return url.origin;
}

/**
 * Whether a request may use our cookies. Not a cross-site one (`Sec-Fetch-Site:
 * cross-site`) from a page on an origin `CORS_ORIGINS` does not list: once the cookies
 * are `SameSite=None`, an `<img>` on any site would carry the visitor's, and enrol them.
 */
export function cookiesAllowed(request: Request, env: Pick<Env, "CORS_ORIGINS">): boolean {
  if (request.headers.get("sec-fetch-site") !== "cross-site") return true;
  const origin = request.headers.get("origin");
  return origin !== null && corsOrigins(env).has(origin);
}

/** Whether our cookies are `SameSite=None`: while `CORS_ORIGINS` lists origins (`setCookieHeader`). */
export function crossSiteCookies(env: Pick<Env, "CORS_ORIGINS">): boolean {
  return corsOrigins(env).size > 0;
}

/** What a request to a CORS route gets: the origin to allow, when it is listed. */
export interface Cors {
  /** The request's `Origin`, when `CORS_ORIGINS` lists it; null otherwise. */
  origin: string | null;
}

/** The CORS decision for a request to a CORS route; null when `CORS_ORIGINS` lists no origin (no CORS at all). */
export function corsOf(request: Request, env: Pick<Env, "CORS_ORIGINS">): Cors | null {
  const origins = corsOrigins(env);
  if (origins.size === 0) return null;
  const origin = request.headers.get("origin");
  return { origin: origin !== null && origins.has(origin) ? origin : null };
}

/**
 * Whether `request` is a CORS preflight (RFC: an `OPTIONS` with `Origin` and
 * `Access-Control-Request-Method`); the method it asks about, or null.
 */
export function preflightMethod(request: Request): string | null {
  if (request.method !== "OPTIONS" || !request.headers.has("origin")) return null;
  return request.headers.get("access-control-request-method");
}

/** The headers of the answer to an allowed preflight: the methods and headers the page may use. */
export function preflightHeaders(methods: readonly string[]): Record<string, string> {
  return {
    "access-control-allow-methods": methods.join(", "),
    "access-control-allow-headers": ALLOWED_HEADERS,
    "access-control-max-age": MAX_AGE_SECS,
  };
}

/**
 * The CORS headers of an answer on a CORS route. `Vary: Origin` goes on every one,
 * listed origin or not, so that no cache hands one origin's answer to another.
 */
export function corsHeaders(cors: Cors, status: number): Record<string, string> {
  if (cors.origin === null) return { vary: "Origin" };
  const headers: Record<string, string> = {
    vary: "Origin",
    "access-control-allow-origin": cors.origin,
    "access-control-allow-credentials": "true",
  };
  if (status !== 204) headers["access-control-expose-headers"] = EXPOSED_HEADERS;
  return headers;
}
