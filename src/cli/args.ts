import { type TargetingCondition, type Variant, variantFromText } from "../client";
import { TARGETING_OPERATORS } from "../core";
import { UsageError } from "./errors";

/**
 * The command line's own little syntaxes, each a pure function that throws
 * `UsageError` (exit 2) on a mistake. The Worker still validates everything they produce;
 * these only turn text into the API's shapes.
 */

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

/** `--attr` given several times → one attributes object; a name given twice is a mistake. */
export function attributesOf(pairs: readonly string[]): Record<string, string> {
  // No prototype: `--attr __proto__=x` is then sent, and refused by the Worker in words, not dropped.
  const attributes: Record<string, string> = Object.create(null);
  for (const pair of pairs) {
    const [name, value] = parseAttribute(pair);
    if (Object.hasOwn(attributes, name)) throw new UsageError(`attribute '${name}' is given more than once`);
    attributes[name] = value;
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

/** A whole, non-negative number: `what` names it in the message. */
export function parseCount(text: string, what: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new UsageError(`${what} must be a whole number, not '${text}'`);
  return Number(text);
}
