import { ExperimentError } from "./errors";
import { codePoints } from "./text";

/**
 * Attribute targeting: conditions on caller-supplied attributes that decide whether an
 * actor may enter an experiment. An experiment's `targeting` holds at most 20
 * conditions and ALL must hold; a condition holds when the attribute matches ANY of its
 * values (Unleash's constraints work the same way).
 */

/** Every operator a condition may use. */
export const TARGETING_OPERATORS = [
  "in",
  "not_in",
  "starts_with",
  "ends_with",
  "contains",
  "num_eq",
  "num_gt",
  "num_gte",
  "num_lt",
  "num_lte",
  "semver_eq",
  "semver_gt",
  "semver_lt",
  "exists",
] as const;

export type TargetingOperator = (typeof TARGETING_OPERATORS)[number];

/**
 * One condition, as stored in an experiment config.
 *
 * - `in`, `starts_with`, `ends_with`, `contains`: the attribute's text equals, starts
 *   with, ends with or contains ANY value. `not_in`: it equals NONE of them.
 * - `num_*`: the attribute and the values are read as JSON numbers (see
 *   {@link parseNumber}) and compared as IEEE-754 doubles; `num_gt` holds when the
 *   attribute is greater than ANY value, that is greater than the smallest one.
 * - `semver_*`: SemVer 2.0.0 precedence (see {@link parseSemver}); build metadata is
 *   ignored, so `semver_eq` holds for `1.0.0+a` against `1.0.0+b`.
 * - `exists`: the attribute is present, whatever its value (even `""`); no values.
 *
 * A missing attribute makes every condition false except `not_in`, which holds.
 * An attribute that does not parse as a number (for `num_*`) or a semantic version
 * (for `semver_*`) makes the condition false.
 *
 * `case_insensitive` (absent means `false`) applies to the five string operators and
 * compares both sides lower-cased with `String.prototype.toLowerCase` (Unicode default
 * lower-casing, not full case folding, no normalisation). It is accepted on the
 * number, semver and `exists` operators and has no effect there.
 */
export interface TargetingCondition {
  attribute: string;
  operator: TargetingOperator;
  /** Strings, numbers and versions alike: `"18"`, `"2.0.0"`. */
  values: string[];
  case_insensitive: boolean;
}

/** A caller attribute. Numbers and booleans are compared by their JSON text: 40 → "40". */
export type AttributeValue = string | number | boolean;

/** The attributes a caller sends with an assignment request. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/**
 * The limits of targeting, in one place for the engine and the HTTP layer. Lengths are
 * in Unicode code points ({@link codePoints}). `maxAttributes` and
 * `maxAttributeValueChars` bound what a caller sends; the rest bound a config.
 */
export const TARGETING_LIMITS = {
  maxConditions: 20,
  maxValues: 100,
  maxValueChars: 256,
  maxAttributes: 50,
  maxAttributeValueChars: 256,
} as const;

/**
 * Names no attribute may have: a JavaScript object treats them as its own machinery
 * (the validator and the evaluator skip them, and `obj.__proto__ = …` sets a prototype),
 * so an attribute of that name would be dropped silently instead of compared. They
 * are refused, as attributes and in conditions alike.
 */
export const RESERVED_ATTRIBUTE_NAMES = ["__proto__", "constructor", "prototype"] as const;

/** Attribute names, in conditions and in a caller's attributes alike: 1 to 64 letters, digits, `_`, `.` or `-`, not reserved. */
export const ATTRIBUTE_NAME = new RegExp(`^(?!(?:${RESERVED_ATTRIBUTE_NAMES.join("|")})$)[A-Za-z0-9_.-]{1,64}$`);

/** How an attribute name is to be written, for error messages. */
export const ATTRIBUTE_NAME_RULE = `1 to 64 letters, digits, '_', '.' or '-', and not ${RESERVED_ATTRIBUTE_NAMES.join(", ")}`;

/** JSON number syntax: no leading `+`, no leading zeros, no bare `.5` or `5.`, no hex. */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * Reads `text` as a number if it is written in JSON number syntax and is finite as a
 * double (`"1e400"` is not); `null` otherwise.
 *
 * @example
 * parseNumber("-1.5e3"); // -1500
 * parseNumber("0x10");   // null
 */
export function parseNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** A parsed semantic version; numeric parts stay digit strings so no size loses precision. */
export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  /** Dot-separated pre-release identifiers; empty for a release. */
  prerelease: string[];
}

// The regular expression that semver.org recommends, minus the capture of build metadata.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;
const DIGITS = /^\d+$/;

/**
 * Reads `text` as a SemVer 2.0.0 version, strictly: no leading `v` or `=`, no
 * surrounding white space, no leading zeros, all three parts (the spec's FAQ says
 * "v1.2.3" is not a semantic version). One grammar for condition values and caller
 * attributes, so a caller that sends "v1.2.3" must strip the "v" itself.
 *
 * @example
 * parseSemver("1.0.0-rc.1+build.5"); // { major: "1", minor: "0", patch: "0", prerelease: ["rc", "1"] }
 * parseSemver("v1.0.0");             // null
 */
export function parseSemver(text: string): SemVer | null {
  const match = SEMVER.exec(text);
  if (match === null) return null;
  const [, major = "", minor = "", patch = "", prerelease] = match;
  return { major, minor, patch, prerelease: prerelease === undefined ? [] : prerelease.split(".") };
}

/**
 * SemVer 2.0.0 precedence (spec item 11): negative, zero or positive like a sort
 * comparator. Build metadata has already been dropped by {@link parseSemver}.
 *
 * Hand-written rather than imported: measured in a Worker bundle, `semver`'s
 * `compare` + `valid` deep imports add 4.6 KiB gzip, and `compare-versions` (1 KiB)
 * ranks `1.0.0-alpha` equal to `1.0.0-alpha.0` and `1.0.0-1a` equal to `1.0.0-1b`.
 *
 * @example
 * compareSemver(parseSemver("1.0.0-alpha")!, parseSemver("1.0.0")!); // < 0
 */
export function compareSemver(a: SemVer, b: SemVer): number {
  // 1. Major, minor and patch compare numerically.
  const core = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (core !== 0) return core;
  // 2. A pre-release ranks below the release of the same version.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return (a.prerelease.length === 0 ? 1 : 0) - (b.prerelease.length === 0 ? 1 : 0);
  }
  // 3. Identifiers left to right: numeric ones numerically and below alphanumeric ones,
  //    alphanumeric ones in ASCII order.
  const shared = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < shared; i++) {
    const x = a.prerelease[i] ?? "";
    const y = b.prerelease[i] ?? "";
    if (x === y) continue;
    const xNumeric = DIGITS.test(x);
    const yNumeric = DIGITS.test(y);
    if (xNumeric && yNumeric) return compareDigits(x, y);
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    return x < y ? -1 : 1;
  }
  // 4. Equal so far: the longer list of identifiers ranks higher.
  return a.prerelease.length - b.prerelease.length;
}

/** Compares digit strings without leading zeros (SemVer forbids them): longer is larger. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * Checks targeting conditions as an admin write receives them: at most 20 conditions,
 * attribute names matching {@link ATTRIBUTE_NAME}, a known operator, no values for
 * `exists` and 1 to 100 for every other operator, each value well-formed Unicode of at
 * most 256 code points, and a JSON number or a semantic version where the operator
 * needs one.
 *
 * @throws {ExperimentError} `invalid_config` naming the condition by index and attribute.
 * @example
 * validateTargeting([{ attribute: "app_version", operator: "semver_gt", values: ["x.y"] }]);
 * // throws invalid_config: "targeting[0] (app_version): 'x.y' is not a semantic version"
 */
export function validateTargeting(conditions: readonly TargetingCondition[]): void {
  if (conditions.length > TARGETING_LIMITS.maxConditions) {
    throw ExperimentError.invalidConfig(
      `targeting has ${conditions.length} conditions (at most ${TARGETING_LIMITS.maxConditions})`,
    );
  }
  conditions.forEach(validateCondition);
}

function validateCondition({ attribute, operator, values }: TargetingCondition, index: number): void {
  const invalid = (detail: string) => ExperimentError.invalidConfig(`targeting[${index}] (${attribute}): ${detail}`);
  if (!ATTRIBUTE_NAME.test(attribute)) {
    throw ExperimentError.invalidConfig(
      `targeting[${index}]: attribute name '${attribute}' must be ${ATTRIBUTE_NAME_RULE}`,
    );
  }
  if (!(TARGETING_OPERATORS as readonly string[]).includes(operator)) throw invalid(`unknown operator '${operator}'`);
  if (operator === "exists") {
    if (values.length > 0) throw invalid("'exists' takes no values");
    return;
  }
  if (values.length === 0) throw invalid(`'${operator}' needs at least one value`);
  if (values.length > TARGETING_LIMITS.maxValues) {
    throw invalid(`${values.length} values (at most ${TARGETING_LIMITS.maxValues})`);
  }
  values.forEach((value, i) => {
    if (!value.isWellFormed()) throw invalid(`values[${i}] is not well-formed Unicode`);
    if (codePoints(value) > TARGETING_LIMITS.maxValueChars) {
      throw invalid(`values[${i}] is longer than ${TARGETING_LIMITS.maxValueChars} characters`);
    }
    if (operator.startsWith("num_") && parseNumber(value) === null) throw invalid(`'${value}' is not a number`);
    if (operator.startsWith("semver_") && parseSemver(value) === null) {
      throw invalid(`'${value}' is not a semantic version`);
    }
  });
}

/**
 * Tells which condition, if any, excludes an actor: the index of the first condition
 * that does not hold, or -1 when all hold (like `findIndex` of a failure).
 */
export type TargetingPredicate = (attributes: Attributes) => number;

type Test = (attribute: AttributeValue | undefined) => boolean;

/**
 * Prepares conditions for evaluation, once per config snapshot: values are lower-cased
 * (when `case_insensitive`), put in a `Set` (for `in`/`not_in`) or parsed, and
 * `num_gt`-like operators keep only the bound that decides "ANY value" (the smallest
 * for `gt`, the largest for `lt`). The returned predicate then only reads the caller's
 * attributes, which matters because it runs per request.
 *
 * Expects conditions that passed {@link validateTargeting}; a value that does not parse
 * anyway matches nothing rather than throwing during a request.
 *
 * @example
 * const excludedBy = compileTargeting([
 *   { attribute: "country", operator: "in", values: ["DE", "AT"] },
 *   { attribute: "app_version", operator: "semver_gt", values: ["2.0.0"] },
 * ]);
 * excludedBy({ country: "DE", app_version: "2.1.0" }); // -1: every condition holds
 * excludedBy({ country: "FR", app_version: "2.1.0" }); // 0: excluded by `country`
 */
export function compileTargeting(conditions: readonly TargetingCondition[]): TargetingPredicate {
  const compiled = conditions.map(({ attribute, operator, values, case_insensitive = false }) => ({
    attribute,
    holds: compileCondition(operator, values, case_insensitive),
  }));
  return (attributes) =>
    compiled.findIndex(
      ({ attribute, holds }) => !holds(Object.hasOwn(attributes, attribute) ? attributes[attribute] : undefined),
    );
}

/**
 * Evaluates conditions against attributes in one go, compiling them on every call:
 * for tests and one-off checks. A hot path keeps a {@link compileTargeting} predicate.
 *
 * @returns the index of the first condition that does not hold, or -1 when all hold.
 * @example
 * evaluateTargeting([{ attribute: "age", operator: "num_gte", values: ["18"] }], { age: 17 }); // 0
 */
export function evaluateTargeting(conditions: readonly TargetingCondition[], attributes: Attributes): number {
  return compileTargeting(conditions)(attributes);
}

function compileCondition(operator: TargetingOperator, values: readonly string[], caseInsensitive: boolean): Test {
  switch (operator) {
    case "exists":
      return (attribute) => attribute !== undefined;
    case "in":
    case "not_in": {
      const fold = caseInsensitive ? lowerCase : same;
      const set = new Set(values.map(fold));
      const isIn = operator === "in";
      return (attribute) => (attribute === undefined ? !isIn : set.has(fold(text(attribute))) === isIn);
    }
    case "starts_with":
    case "ends_with":
    case "contains": {
      const fold = caseInsensitive ? lowerCase : same;
      const folded = values.map(fold);
      const matches =
        operator === "starts_with"
          ? (s: string) => folded.some((v) => s.startsWith(v))
          : operator === "ends_with"
            ? (s: string) => folded.some((v) => s.endsWith(v))
            : (s: string) => folded.some((v) => s.includes(v));
      return (attribute) => attribute !== undefined && matches(fold(text(attribute)));
    }
    case "num_eq":
    case "num_gt":
    case "num_gte":
    case "num_lt":
    case "num_lte":
      return compileNumber(operator, values);
    case "semver_eq":
    case "semver_gt":
    case "semver_lt":
      return compileSemver(operator, values);
    default:
      // Unreachable for validated conditions; an unknown operator never holds.
      return () => false;
  }
}

const lowerCase = (s: string) => s.toLowerCase();
const same = (s: string) => s;

function compileNumber(operator: `num_${"eq" | "gt" | "gte" | "lt" | "lte"}`, values: readonly string[]): Test {
  const numbers = values.map(parseNumber).filter((n) => n !== null);
  if (numbers.length === 0) return () => false;
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  const set = new Set(numbers);
  const holds: (n: number) => boolean = {
    num_eq: (n: number) => set.has(n),
    num_gt: (n: number) => n > min,
    num_gte: (n: number) => n >= min,
    num_lt: (n: number) => n < max,
    num_lte: (n: number) => n <= max,
  }[operator];
  return (attribute) => {
    const n = typeof attribute === "string" ? parseNumber(attribute) : typeof attribute === "number" ? attribute : null;
    return n !== null && Number.isFinite(n) && holds(n);
  };
}

function compileSemver(operator: "semver_eq" | "semver_gt" | "semver_lt", values: readonly string[]): Test {
  const versions = values.map(parseSemver).filter((v) => v !== null);
  if (versions.length === 0) return () => false;
  // For gt the smallest value decides, for lt the largest; eq must try each.
  const lowest = versions.reduce((a, b) => (compareSemver(a, b) <= 0 ? a : b));
  const highest = versions.reduce((a, b) => (compareSemver(a, b) >= 0 ? a : b));
  const holds: (v: SemVer) => boolean = {
    semver_eq: (v: SemVer) => versions.some((w) => compareSemver(v, w) === 0),
    semver_gt: (v: SemVer) => compareSemver(v, lowest) > 0,
    semver_lt: (v: SemVer) => compareSemver(v, highest) < 0,
  }[operator];
  return (attribute) => {
    // Only strings can be versions: 40 and true have JSON texts that are not.
    const version = typeof attribute === "string" ? parseSemver(attribute) : null;
    return version !== null && holds(version);
  };
}

/** A caller attribute's JSON text. Numbers from JSON are finite, so `String` gives it. */
function text(attribute: AttributeValue): string {
  return typeof attribute === "string" ? attribute : String(attribute);
}
