import { Attributes as AttributesSchema } from "../../api/schemas";
import type { Attributes } from "../../core";
import { parseInput } from "./body";
import { ATTRIBUTE_PREFIX } from "./query";

/**
 * The caller's attributes from the query (`queryOf`): `attr.<name>=<value>`, values as
 * text. A repeated name is already refused there.
 * @throws {ExperimentError} `invalid_request` for what the schema refuses
 */
export function queryAttributes(query: Readonly<Record<string, string>>): Attributes {
  // No prototype, so that `attr.__proto__` becomes a key the schema refuses rather than a no-op.
  const attributes: Record<string, string> = Object.create(null);
  let any = false;
  for (const key in query) {
    if (!key.startsWith(ATTRIBUTE_PREFIX)) continue;
    attributes[key.slice(ATTRIBUTE_PREFIX.length)] = query[key] as string;
    any = true;
  }
  // Most requests carry none: nothing to validate then.
  return any ? parseInput(AttributesSchema, attributes, "query") : attributes;
}

/**
 * The request's own `request.cf` facts that targeting can read (country, continent,
 * colo, asn, region_code, is_eu_country). The caller's attributes of the same name
 * win over them (`EdgeAssigner`). When the caller is a server or another Worker,
 * `request.cf` describes that caller, not the visitor, so such callers should send
 * the visitor's attributes.
 */
export function edgeFactsOf(request: Request): Attributes {
  const cf = request.cf as IncomingRequestCfProperties | undefined;
  const edge: Record<string, string | number | boolean> = {};
  if (cf === undefined) return edge;
  if (cf.country) edge.country = cf.country;
  if (cf.continent) edge.continent = cf.continent;
  if (cf.colo) edge.colo = cf.colo;
  if (typeof cf.asn === "number") edge.asn = cf.asn;
  if (cf.regionCode) edge.region_code = cf.regionCode;
  if (cf.country) edge.is_eu_country = cf.isEUCountry === "1";
  return edge;
}
