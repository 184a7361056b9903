import { invalid } from "./problems";
import { actorId } from "./request";

const COOKIE = "exp_actor";

export interface ResolvedActor {
  actor: string;
  /** A `Set-Cookie` value when the actor is a new anonymous visitor. */
  setCookie: string | null;
}

/**
 * Who is being assigned (API.md): the explicit `actor` (query or body), then the
 * `X-Actor-Id` header, then the `exp_actor` cookie, else a new anonymous id that the
 * response sets as a cookie so the visitor keeps it.
 * @throws {HttpError} `invalid_request` for an actor id outside the limits
 */
export function resolveActor(request: Request, explicit: unknown): ResolvedActor {
  if (explicit !== undefined && explicit !== null) return { actor: actorId(explicit, "'actor'"), setCookie: null };
  const header = request.headers.get("x-actor-id");
  if (header !== null) return { actor: actorId(header, "X-Actor-Id"), setCookie: null };
  const cookie = cookieValue(request.headers.get("cookie"), COOKIE);
  if (cookie !== null) return { actor: actorId(cookie, `the ${COOKIE} cookie`), setCookie: null };
  const actor = `anon:${crypto.randomUUID()}`;
  return {
    actor,
    setCookie: `${COOKIE}=${encodeURIComponent(actor)}; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax`,
  };
}

function cookieValue(header: string | null, name: string): string | null {
  if (header === null) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw invalid(`the ${name} cookie is not valid percent-encoded UTF-8`);
    }
  }
  return null;
}
