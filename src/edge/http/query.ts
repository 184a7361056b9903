import { invalidRequest } from "../../api/problems";
import { ROUTES, type RouteSpec } from "../../api/routes";

/** Every name a route's query schema declares. */
const READ_NAMES: ReadonlySet<string> = new Set(
  Object.values(ROUTES as Record<string, RouteSpec>).flatMap((route) =>
    route.query ? Object.keys((route.query as unknown as { entries: object }).entries) : [],
  ),
);
/** The prefix of a caller attribute's query parameter: `attr.<name>=<value>`. */
export const ATTRIBUTE_PREFIX = "attr.";

/**
 * The query parameters a route reads (its query schema's names, and `attr.*`), read
 * strictly and once per request: each at most once, as valid percent-encoded UTF-8 (`+`
 * a space, as forms send it). `URLSearchParams` is lenient on both counts: an invalid
 * sequence such as `%ED%A0%80` becomes U+FFFD, so different raw actor ids would name one
 * actor, and a repeated `actor` kept every value, of which the routes silently used the
 * last. Every other parameter (`utm_source`, a cache-buster, `?ref=50%off`) is no input
 * of ours and is left out unread, however it is written.
 * @throws {ExperimentError} `invalid_request` naming the parameter
 */
export function queryOf(search: string): Record<string, string> {
  // No prototype: a parameter named `__proto__` is a key like any other.
  const query: Record<string, string> = Object.create(null);
  if (search.length <= 1) return query;
  for (const pair of search.slice(1).split("&")) {
    const eq = pair.indexOf("=");
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const name = decodedOrNull(rawName);
    if (name === null) {
      // `attr.%FF`: meant as an attribute, so refused in words; anything else is none of ours.
      if (rawName.startsWith(ATTRIBUTE_PREFIX)) throw notUtf8(rawName);
      continue;
    }
    if (!READ_NAMES.has(name) && !name.startsWith(ATTRIBUTE_PREFIX)) continue;
    const value = decoded(eq === -1 ? "" : pair.slice(eq + 1), name);
    if (Object.hasOwn(query, name)) {
      throw invalidRequest(`'${name}' is given more than once`, [{ parameter: name, detail: "given more than once" }]);
    }
    query[name] = value;
  }
  return query;
}

/** A name or value decoded, or null when it is not valid percent-encoded UTF-8. */
function decodedOrNull(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return null;
  }
}

/** The value of a parameter a route reads. */
function decoded(raw: string, name: string): string {
  const value = decodedOrNull(raw);
  if (value === null) throw notUtf8(name);
  return value;
}

function notUtf8(parameter: string) {
  return invalidRequest(`query parameter '${parameter}' is not valid percent-encoded UTF-8`, [
    { parameter, detail: "not valid percent-encoded UTF-8" },
  ]);
}

/**
 * A POST route takes its actor and attributes from the body only: the same names in the
 * query would otherwise be ignored without a word, and the answer be for someone else.
 * @throws {ExperimentError} `invalid_request` naming the parameter
 */
export function refuseQueryInput(query: Readonly<Record<string, string>>, route: string): void {
  for (const name in query) {
    if (name === "actor" || name.startsWith(ATTRIBUTE_PREFIX)) {
      throw invalidRequest(`'${name}' goes in the body of ${route}, not in its query`, [
        { parameter: name, detail: "belongs in the body" },
      ]);
    }
  }
}
