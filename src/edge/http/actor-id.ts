import { invalidRequest } from "../../api/problems";
import { isValidActor, LIMITS } from "../../core";
import { hasReplacement, strictHeader } from "./header";
import type { Cookie } from "./reply";

const ACTOR_COOKIE = "exp_actor";
const STICKY_COOKIE = "exp_sticky";

/**
 * The `Set-Cookie` value of one of our cookies (`exp_actor`, `exp_sticky`), whose
 * attributes are: a year, the whole site, never readable by scripts. `SameSite` is
 * `Lax`, or `None` (with `Secure`, which browsers require of it) while `CORS_ORIGINS`
 * lists origins: a page on one of them may be on another site, where a `Lax` cookie is
 * neither stored nor sent. It is decided by configuration, not per request, so that a
 * visitor has one cookie, the same on the site and on the listed pages.
 */
export function setCookieHeader({ name, value }: Cookie, crossSite: boolean): string {
  const sameSite = crossSite ? "None" : "Lax";
  return `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=${sameSite}`;
}

export interface ResolvedActor {
  actor: string;
  /** A new anonymous visitor's id, for the response to set as the `exp_actor` cookie; null otherwise. */
  cookie: Cookie | null;
}

/**
 * Who is being assigned: the explicit `actor` (query or body, already validated),
 * then the `X-Actor-Id` header, then the `exp_actor` cookie, else a new anonymous id
 * that the response sets as a cookie so the visitor keeps it. A cookie that is not a
 * valid actor id (malformed percent-encoding or UTF-8, too long) is replaced the same way: it
 * is this Worker's own cookie, so only tampering or a bug can have broken it, and an
 * error would repeat on every request of that browser for as long as the cookie lives.
 * Without `cookies` (see `cookiesAllowed`), the cookie is neither read nor set.
 * @throws {ExperimentError} `invalid_request` for a header actor outside the limits or not valid UTF-8
 */
export function resolveActor(request: Request, explicit: string | null | undefined, cookies = true): ResolvedActor {
  const presented = presentedActor(request, explicit, cookies);
  if (presented !== null) return { actor: presented, cookie: null };
  const actor = `anon:${crypto.randomUUID()}`;
  return { actor, cookie: cookies ? { name: ACTOR_COOKIE, value: actor } : null };
}

/**
 * The actor a request names (`resolveActor`'s order: explicit, `X-Actor-Id`, a valid
 * `exp_actor` cookie), or null when it names none.
 * @throws {ExperimentError} `invalid_request` for a header actor outside the limits or not valid UTF-8
 */
export function presentedActor(request: Request, explicit: string | null | undefined, cookies = true): string | null {
  if (explicit !== undefined && explicit !== null) return explicit;
  const header = strictHeader(request, "X-Actor-Id");
  if (header !== null) return checkedHeader(header);
  const cookie = cookies ? cookieValue(request.headers.get("cookie"), ACTOR_COOKIE) : null;
  return cookie !== null && isValidActor(cookie) ? cookie : null;
}

function checkedHeader(actor: string): string {
  if (isValidActor(actor)) return actor;
  throw invalidRequest(
    `X-Actor-Id must be an actor id of 1 to ${LIMITS.maxActorBytes} UTF-8 bytes without control characters`,
    [{ parameter: "X-Actor-Id", detail: "not a valid actor id" }],
  );
}

/** The sticky token a request presents: the `X-Experiment-Sticky` header, else (with `cookies`) the `exp_sticky` cookie. */
export function presentedStickyToken(request: Request, cookies = true): string | null {
  const header = request.headers.get("x-experiment-sticky");
  if (header !== null) return header;
  return cookies ? cookieValue(request.headers.get("cookie"), STICKY_COOKIE) : null;
}

/**
 * The cookie's decoded value; null when absent or not valid UTF-8, raw or percent-encoded
 * (ignored, never an error: see `resolveActor`).
 */
function cookieValue(header: string | null, name: string): string | null {
  if (header === null) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    if (hasReplacement(raw)) return null;
    try {
      return decodeURIComponent(raw);
    } catch {
      return null;
    }
  }
  return null;
}
