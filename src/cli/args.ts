import * as v from "valibot";
import {
  Actor,
  Attributes,
  ExperimentName,
  HistoryQuery,
  MAX_ADMIN_ACTOR_CHARS,
  ResultsQuery,
  TrackBody,
} from "../api/schemas";
import {
  type Layer,
  MAX_TIMEOUT_MS,
  type MetricDefinition,
  type TargetingCondition,
  type TrackEvent,
  type Variant,
  variantFromText,
} from "../client";
import {
  ExperimentError,
  HASH_VERSIONS_TEXT,
  type HashVersion,
  isHashVersion,
  isValidLabel,
  MAX_HOLDOUT_COVERAGE,
  TARGETING_OPERATORS,
  TRACKING_LIMITS,
  validateCoverage,
  validateLayer,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
  webhookConfig,
} from "../core";
import { UsageError } from "./errors";
import { timeText } from "./format";

/**
 * The command line's own little syntaxes, each a pure function that throws
 * `UsageError` (exit 2) on a mistake. A value the Worker refuses whatever it stores (a
 * name, an actor id, an attribute, a coverage) is refused here already, by the
 * Worker's own schemas and rules (`src/api/schemas.ts`, `src/core`), so that nothing is
 * sent; what depends on the stored experiments (is the winner a variant, may the group
 * still change) stays the Worker's to refuse (exit 1).
 */

/** An experiment or exclusion-group name, by the API's own schema (`NAME_PATTERN`). */
export function parseName(text: string): string {
  return checked(ExperimentName, text, `'${text}' is not a valid name`);
}

/**
 * An actor id, by the API's own schema. `.` and `..` pass: they are valid actor ids,
 * which the typed client refuses to put into a URL path (`InputError`).
 */
export function parseActor(text: string): string {
  return checked(Actor, text, `'${text}' is not a valid actor id`);
}

/** `--admin-actor` / `EXPCTL_ADMIN_ACTOR`, by the Worker's rule for `X-Admin-Actor`. */
export function parseAdminActor(text: string): string {
  if (isValidLabel(text, MAX_ADMIN_ACTOR_CHARS)) return text;
  throw new UsageError(
    `--admin-actor (or EXPCTL_ADMIN_ACTOR) must be at most ${MAX_ADMIN_ACTOR_CHARS} characters ` +
      "without control characters, well-formed Unicode",
  );
}

function checked(schema: v.GenericSchema<string, string>, text: string, what: string): string {
  const parsed = v.safeParse(schema, text);
  if (parsed.success) return parsed.output;
  throw new UsageError(`${what}: ${parsed.issues[0].message}`);
}

/** `control=50` → `{ name: "control", weight: 50 }` (`variantFromText`, shared with the dashboard). */
export function parseVariant(text: string): Variant {
  const variant = variantFromText(text);
  if (variant === null) {
    throw new UsageError(`'${text}' is not <variant>=<weight> with a whole-number weight (e.g. control=50)`);
  }
  return variant;
}

/** `plan=pro` → `["plan", "pro"]`; the value is everything after the first `=` and stays text. */
export function parseAttribute(text: string): [string, string] {
  const at = text.indexOf("=");
  if (at <= 0) throw new UsageError(`'${text}' is not <name>=<value> (e.g. country=DE)`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/**
 * `--attr` given several times → one attributes object, checked with the API's own
 * `Attributes` schema (names, reserved names, value lengths, how many); a name given
 * twice is a mistake.
 */
export function attributesOf(pairs: readonly string[]): Record<string, string> {
  // No prototype: `--attr __proto__=x` is then a key the schema refuses in words, not dropped.
  const attributes: Record<string, string> = Object.create(null);
  for (const pair of pairs) {
    const [name, value] = parseAttribute(pair);
    if (Object.hasOwn(attributes, name)) throw new UsageError(`attribute '${name}' is given more than once`);
    attributes[name] = value;
  }
  const parsed = v.safeParse(Attributes, attributes);
  if (!parsed.success) {
    const [issue] = parsed.issues;
    const key = issue.path?.map((item) => String(item.key)).join(".");
    throw new UsageError(`--attr${key === undefined ? "" : ` '${key}'`}: ${issue.message}`);
  }
  return attributes;
}

/**
 * `'country in DE,FR'` → `{ attribute: "country", operator: "in", values: ["DE", "FR"] }`:
 * the attribute, the operator, then comma-separated values (each trimmed; none for
 * `exists`). An operator ending in `/i` compares case-insensitively:
 * `'email ends_with/i @example.com'`.
 */
export function parseTarget(text: string): TargetingCondition {
  const match = /^\s*(\S+)\s+(\S+)(?:\s+(.*\S))?\s*$/s.exec(text);
  if (match === null) throw new UsageError(`'${text}' is not '<attribute> <operator> <value>,<value>…'`);
  const [, attribute = "", written = "", list] = match;
  const caseInsensitive = written.endsWith("/i");
  const operator = caseInsensitive ? written.slice(0, -2) : written;
  if (!(TARGETING_OPERATORS as readonly string[]).includes(operator)) {
    throw new UsageError(`unknown operator '${operator}' in '${text}' (one of: ${TARGETING_OPERATORS.join(", ")})`);
  }
  const values = list === undefined ? [] : splitValues(list);
  if (operator !== "exists" && values.length === 0) throw new UsageError(`'${text}' needs at least one value`);
  if (operator === "exists" && values.length > 0) throw new UsageError(`'exists' takes no values: '${text}'`);
  return { attribute, operator, values, ...(caseInsensitive ? { case_insensitive: true } : {}) };
}

/**
 * `--metric`: `name:kind[:event[:direction[:role]]]`, an empty part taking its default
 * (`revenue:sum::decrease` listens to `revenue`). Names hold no `:`, so the parts are
 * unambiguous; what each may be is the engine's to check (`validateMetrics`).
 *
 * @example
 * parseMetric("refunds:sum:refund:decrease:guardrail")
 * // { name: "refunds", kind: "sum", event: "refund", direction: "decrease", role: "guardrail" }
 */
export function parseMetric(text: string): MetricDefinition {
  const parts = text.split(":");
  const [name = "", kind = "", event = "", direction = "", role = ""] = parts;
  if (parts.length < 2 || parts.length > 5 || name === "" || kind === "") {
    throw new UsageError(`'${text}' is not '<name>:<kind>[:<event>[:<direction>[:<role>]]]'`);
  }
  return {
    name,
    kind,
    ...(event === "" ? {} : { event }),
    ...(direction === "" ? {} : { direction }),
    ...(role === "" ? {} : { role }),
  };
}

/**
 * A condition's values: comma-separated and trimmed, where `\,` is a comma inside a
 * value and `\\` a backslash (`conditionText` writes them so); any other backslash is
 * kept as it is.
 */
function splitValues(list: string): string[] {
  const values: string[] = [];
  let current = "";
  for (let i = 0; i < list.length; i++) {
    const char = list[i];
    const next = list[i + 1];
    if (char === "\\" && (next === "," || next === "\\")) {
      current += next;
      i++;
    } else if (char === ",") {
      values.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  values.push(current.trim());
  return values;
}

/** Digits only (no sign, fraction or exponent) as a number; NaN for anything else. */
function wholeNumber(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
}

/** Basis points, by the engine's own rule (`validateCoverage`: 0 to 10 000). */
export function parseCoverage(text: string): number {
  const coverage = wholeNumber(text);
  try {
    validateCoverage(coverage);
  } catch (error) {
    if (error instanceof ExperimentError) throw new UsageError(`${error.message}, not '${text}'`);
    throw error;
  }
  return coverage;
}

/** `--coverage` of `holdout set`: basis points held out, by the engine's rule (1 to {@link MAX_HOLDOUT_COVERAGE}). */
export function parseHoldoutCoverage(text: string): number {
  const coverage = wholeNumber(text);
  if (!(coverage >= 1 && coverage <= MAX_HOLDOUT_COVERAGE)) {
    throw new UsageError(
      `holdout coverage must be a whole number of basis points from 1 to ${MAX_HOLDOUT_COVERAGE}, not '${text}'`,
    );
  }
  return coverage;
}

/**
 * `--layer <name>:<start>-<end>`: the experiment's slice `[start, end)` of a layer, in
 * basis points, by the engine's rule (`validateLayer`). Layer names hold no `:`.
 *
 * @example
 * parseLayer("checkout:0-2500") // { name: "checkout", range: [0, 2500] }
 */
export function parseLayer(text: string): Layer {
  const match = /^([^:]*):(\d{1,15})-(\d{1,15})$/.exec(text);
  if (match === null) throw new UsageError(`'${text}' is not '<layer>:<start>-<end>' (e.g. checkout:0-2500)`);
  const [, name = "", start = "", end = ""] = match;
  const layer: Layer = { name, range: [Number(start), Number(end)] };
  try {
    validateLayer(layer);
  } catch (error) {
    if (error instanceof ExperimentError) throw new UsageError(`--layer '${text}': ${error.message}`);
    throw error;
  }
  return layer;
}

/** `--limit` of `history`, by the API's own query schema (0: all). */
export function parseLimit(text: string): number {
  if (!v.is(HistoryQuery, { limit: text })) {
    throw new UsageError(`--limit must be a whole number of at most 9 digits (0: all), not '${text}'`);
  }
  return Number(text);
}

/** `--hash-version`, by the engine's own rule (`isHashVersion`). */
export function parseHashVersion(text: string): HashVersion {
  const version = Number(text);
  // `String(version) === text`: `01`, ` 2` or `2.0` are no version's spelling.
  if (!isHashVersion(version) || String(version) !== text) {
    throw new UsageError(`--hash-version must be ${HASH_VERSIONS_TEXT}, not '${text}'`);
  }
  return version;
}

/** `--timeout`: whole milliseconds, at least 1 (0 would give up on every request before it is sent). */
export function parseTimeout(text: string): number {
  const timeout = wholeNumber(text);
  if (!(timeout >= 1 && timeout <= MAX_TIMEOUT_MS)) {
    throw new UsageError(`--timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, not '${text}'`);
  }
  return timeout;
}

/**
 * `--alpha` of `results`, by the API's own query schema (a decimal such as `0.05`,
 * 0 < α < 0.5). The client sends `String(alpha)`, so that text must pass too: below
 * 0.000001 it is written with an exponent (`1e-7`), which the schema refuses.
 */
export function parseAlpha(text: string): number {
  if (!v.is(ResultsQuery, { alpha: text })) {
    throw new UsageError(`--alpha must be a decimal number strictly between 0 and 0.5 (e.g. 0.05), not '${text}'`);
  }
  const alpha = Number(text);
  if (!v.is(ResultsQuery, { alpha: String(alpha) })) {
    throw new UsageError(`--alpha must be at least 0.000001 (the API cannot take ${alpha}), not '${text}'`);
  }
  return alpha;
}

/** A decimal number as a person types it: `42`, `-12.5`, `.5`, `1e3`. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * An event of `track`: `<event>[=<value>]`, the name and value checked by the API's own
 * schema (`TrackBody`). Event names hold no `=`, so the value is everything after it.
 *
 * @example
 * parseTrackEvent("purchase=42.5") // { event: "purchase", value: 42.5 }
 * parseTrackEvent("signup")        // { event: "signup" }
 */
export function parseTrackEvent(text: string): TrackEvent {
  const at = text.indexOf("=");
  const event = at < 0 ? text : text.slice(0, at);
  const valueText = at < 0 ? null : text.slice(at + 1);
  if (valueText !== null && !DECIMAL.test(valueText)) {
    throw new UsageError(`'${text}' is not <event>[=<number>] (e.g. purchase=42.5)`);
  }
  const parsed: TrackEvent = valueText === null ? { event } : { event, value: Number(valueText) };
  const problem = trackEventProblem(parsed);
  if (problem !== null) throw new UsageError(`'${text}': ${problem}`);
  return parsed;
}

/** `--id` of `track`: an event's de-duplication id, by the API's own schema. */
export function parseEventId(text: string): string {
  const problem = trackEventProblem({ event: "e", id: text });
  if (problem !== null) throw new UsageError(`'${text}' is not a valid event id: ${problem}`);
  return text;
}

/** `2026-11-26T03:17:00Z`, `2026-11-26 03:17:00.5+01:00` (the space as `timeText` prints it): a zone is required. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A time as the command line and an apply file take it: ISO 8601 with its zone (`Z` or
 * `+01:00`; a time without one would depend on the machine's), or UNIX seconds; whole
 * seconds (a fraction is dropped). Null for text that is neither.
 *
 * @example
 * timeSeconds("2026-11-26T04:17:00+01:00") // 1795663020
 * timeSeconds("1795663020")                // 1795663020
 */
export function timeSeconds(text: string): number | null {
  return /^\d{1,12}$/.test(text) ? Number(text) : isoSeconds(text);
}

const NOT_A_TIME = "is neither an ISO 8601 time with its zone (2026-11-26T03:17:00Z) nor UNIX seconds";

/**
 * `--at` of `track`: a time ({@link timeSeconds}) within the window the API's schema takes
 * (the last 7 days, up to 5 minutes ahead).
 *
 * @example
 * parseEventTime("2026-11-26T03:17:00Z") // 1795663020 (while that lies within the last 7 days)
 */
export function parseEventTime(text: string): number {
  const secs = timeSeconds(text);
  if (secs === null) throw new UsageError(`'${text}' ${NOT_A_TIME}`);
  const problem = trackEventProblem({ event: "e", timestamp_secs: secs });
  if (problem !== null) throw new UsageError(`--at '${text}': ${problem}`);
  return secs;
}

/**
 * `--start-at` and `--conclude-at` of `create`: a time ({@link timeSeconds}) after `now`
 * (UNIX seconds), as the Worker requires of a schedule when the definition arrives.
 *
 * @example
 * parseScheduleTime("2030-01-01T09:00:00Z") // 1893488400
 */
export function parseScheduleTime(text: string, now = Math.floor(Date.now() / 1000)): number {
  const secs = timeSeconds(text);
  if (secs === null) throw new UsageError(`'${text}' ${NOT_A_TIME}`);
  if (secs <= now) {
    throw new UsageError(`'${text}' has passed (now is ${timeText(now)}): a schedule's times are in the future`);
  }
  return secs;
}

/** UNIX seconds (rounded down) of an ISO 8601 time with its zone, or null if it is none. */
function isoSeconds(text: string): number | null {
  const match = ISO_8601.exec(text);
  if (match === null) return null;
  const ms = Date.parse(text.replace(" ", "T"));
  // Date.parse refuses a month 13 or an hour 25, but rolls February 30th over into March.
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  if (Number.isNaN(ms) || new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return null;
  return Math.floor(ms / 1000);
}

/**
 * The webhook `URL` of `webhook set`, by the engine's rules (`webhookConfig`: an
 * absolute URL of at most 2,048 characters without credentials). `http://` passes:
 * whether the Worker takes it depends on its `WEBHOOK_ALLOW_HTTP`, so it is the Worker's
 * to refuse (exit 1).
 */
export function parseWebhookUrl(text: string): string {
  try {
    webhookConfig("w", { url: text }, null, { allowHttp: true, now: 0 });
  } catch (error) {
    if (error instanceof ExperimentError) throw new UsageError(`'${text}': ${error.message}`);
    throw error;
  }
  return text;
}

/** `--event` of `webhook set`: one of the event types. */
export function parseWebhookEvent(text: string): WebhookEventType {
  const type = WEBHOOK_EVENT_TYPES.find((known) => known === text);
  if (type === undefined) {
    throw new UsageError(`unknown event type '${text}' (one of: ${WEBHOOK_EVENT_TYPES.join(", ")})`);
  }
  return type;
}

/**
 * The events of one `track` request: `--id`s, if any, one per event in order (the same
 * id twice would count only the first: ids de-duplicate per actor, whatever the event);
 * `--at` for every event; at most 100 events.
 */
export function trackEvents(events: readonly TrackEvent[], options: { id?: string[]; at?: number }): TrackEvent[] {
  const ids = options.id ?? [];
  if (events.length > TRACKING_LIMITS.maxEvents) {
    throw new UsageError(`at most ${TRACKING_LIMITS.maxEvents} events in one request, not ${events.length}`);
  }
  if (ids.length > 0 && ids.length !== events.length) {
    throw new UsageError(`--id: give one per event, in order, or none (${ids.length} for ${events.length} events)`);
  }
  return events.map((event, i) => ({
    ...event,
    ...(ids[i] === undefined ? {} : { id: ids[i] }),
    ...(options.at === undefined ? {} : { timestamp_secs: options.at }),
  }));
}

/** What the API's `TrackBody` schema says of one event, or null when it takes it. */
function trackEventProblem(event: TrackEvent): string | null {
  const parsed = v.safeParse(TrackBody, { events: [event] });
  return parsed.success ? null : parsed.issues[0].message;
}
