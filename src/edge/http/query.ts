import { ExperimentError } from "../../core";
import type { EdgeRequest } from "./context";

/**
 * The request's query parameters, read strictly and once per request: each name at
 * most once, names and values valid percent-encoded UTF-8 (`+` a space, as forms send
 * it). `URLSearchParams` is lenient on both counts: an invalid sequence such as
 * `%ED%A0%80` becomes U+FFFD, so different raw actor ids would name one actor, and a
 * repeated `actor` kept every value, of which the routes silently used the last.
 * @throws {ExperimentError} `invalid_request` naming the parameter
 */
export function queryOf(request: EdgeRequest): Readonly<Record<string, string>> {
  request.context.query ??= parseQuery(request.context.url.search);
  return request.context.query;
}

function parseQuery(search: string): Record<string, string> {
  // No prototype: a parameter named `__proto__` is a key like any other.
  const query: Record<string, string> = Object.create(null);
  if (search.length <= 1) return query;
  for (const pair of search.slice(1).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decoded(eq === -1 ? pair : pair.slice(0, eq), null);
    const value = decoded(eq === -1 ? "" : pair.slice(eq + 1), name);
    if (Object.hasOwn(query, name)) {
      throw ExperimentError.invalidRequest(`'${name}' is given more than once`, [
        { parameter: name, detail: "given more than once" },
      ]);
    }
    query[name] = value;
  }
  return query;
}

/** One name or value; `name` is null while decoding the name itself. */
function decoded(raw: string, name: string | null): string {
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    const parameter = name ?? raw;
    throw ExperimentError.invalidRequest(`query parameter '${parameter}' is not valid percent-encoded UTF-8`, [
      { parameter, detail: "not valid percent-encoded UTF-8" },
    ]);
  }
}
