import {
  type ExperimentConfig,
  type ExperimentResults,
  type TargetingCondition,
  type Variant,
  variantFromText,
} from "../client";

/**
 * Pure formatting: no DOM, so the browser test's Node side and the page agree on what
 * a share or a status reads like.
 */

export type State = ExperimentConfig["state"];
export type SrmStatus = ExperimentResults["srm"]["status"];

export const STATES: readonly State[] = ["draft", "running", "concluded", "archived"];

/** Colours of the variants, in config order, in bars, charts and tables alike (AA on white as text). */
export const VARIANT_COLOURS = [
  "#2563eb",
  "#d97706",
  "#059669",
  "#9333ea",
  "#dc2626",
  "#0891b2",
  "#65a30d",
  "#db2777",
] as const;

export function variantColour(index: number): string {
  return VARIANT_COLOURS[index % VARIANT_COLOURS.length] ?? VARIANT_COLOURS[0];
}

const number = new Intl.NumberFormat("en-US");

/** `1234` → `"1,234"`. */
export function count(n: number): string {
  return number.format(n);
}

/** A share in `[0, 1]` as a percentage with at most one decimal: `0.5` → `"50%"`, `1/3` → `"33.3%"`. */
export function percent(share: number): string {
  const rounded = Math.round(share * 1000) / 10;
  return `${rounded}%`;
}

/** Each variant's share of the total weight; all zero when every weight is zero. */
export function weightShares(variants: readonly Variant[]): number[] {
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  return variants.map((v) => (total === 0 ? 0 : v.weight / total));
}

/** Coverage in basis points as a percentage: `10000` → `"100%"`, `250` → `"2.5%"`, `1` → `"0.01%"`. */
export function coverage(bp: number): string {
  return `${Number((bp / 100).toFixed(2))}%`;
}

/** A percentage an operator typed (`"2.5"`, `"2,5"`) as basis points, or `null` when it is not one in 0–100. */
export function parseCoveragePercent(text: string): number | null {
  const trimmed = text.trim().replace(",", ".");
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(trimmed)) return null;
  const bp = Math.round(Number(trimmed) * 100);
  return bp >= 0 && bp <= 10_000 ? bp : null;
}

/**
 * Variants as an operator typed them, one `control=50` a line (blank lines skipped), read
 * as `expctl create --variant` reads each (`variantFromText`).
 * @throws {Error} naming the first line that is not one; the API checks the rest
 */
export function parseVariants(text: string): Variant[] {
  const variants: Variant[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const variant = variantFromText(line);
    if (variant === null) throw new Error(`Variants, line ${i + 1}: '${line.trim()}' is not name=weight.`);
    variants.push(variant);
  });
  if (variants.length === 0) throw new Error("Give at least one variant, as name=weight.");
  return variants;
}

/** Seconds since the epoch as `2026-11-26 14:05 UTC` (the results' days are UTC days too). */
export function utc(secs: number): string {
  const iso = new Date(secs * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export const SRM_LABEL: Record<SrmStatus, string> = {
  ok: "ok",
  mismatch: "mismatch",
  insufficient_data: "insufficient data",
};

/** A p-value for people: `0.4712` → `"0.47"`, `0.00002` → `"< 0.0001"`. */
export function pValue(p: number): string {
  if (p < 0.0001) return "< 0.0001";
  return p >= 0.01 ? p.toFixed(2) : p.toPrecision(2);
}

/** One targeting condition as it reads: `country in DE, FR`, `app_version semver_gt 2.0.0`, `beta exists`. */
export function condition(c: TargetingCondition): string {
  const values = c.operator === "exists" ? "" : ` ${c.values.join(", ")}`;
  const caseNote = c.case_insensitive ? " (any case)" : "";
  return `${c.attribute} ${c.operator}${values}${caseNote}`;
}

/**
 * A history entry's mutation in words. The strings are the API's (`created`,
 * `state=running`, `concluded=<winner>`, `set_weights`, `coverage=<bp>`,
 * `override=<actor>:<variant>`, `override_removed=<actor>`); anything else is shown as is.
 */
export function mutation(text: string): string {
  if (text === "created") return "Created";
  if (text === "updated") return "Definition replaced";
  if (text === "set_weights") return "Weights changed";
  const [kind = "", ...rest] = text.split("=");
  const value = rest.join("=");
  switch (kind) {
    case "state":
      return value === "running" ? "Started" : value === "archived" ? "Archived" : `State set to ${value}`;
    case "concluded":
      return `Concluded, winner ${value}`;
    case "coverage": {
      const bp = Number(value);
      return Number.isInteger(bp) ? `Coverage set to ${coverage(bp)}` : text;
    }
    case "override": {
      // Actors may hold ':' (`user:1`); variant names rarely do, so the variant is after the last one.
      const at = value.lastIndexOf(":");
      return at < 0 ? text : `Override: ${value.slice(0, at)} → ${value.slice(at + 1)}`;
    }
    case "override_removed":
      return `Override removed: ${value}`;
    default:
      return text;
  }
}

/** A round upper bound for a chart's axis: 1, 2 or 5 times a power of ten, at least `max`. */
export function niceCeiling(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** What each lifecycle action is allowed from, as the API's lifecycle has it. */
export function allowedActions(state: State): { start: boolean; conclude: boolean; archive: boolean; edit: boolean } {
  return {
    start: state === "draft" || state === "concluded",
    conclude: state === "draft" || state === "running",
    archive: state !== "archived",
    // Weights and coverage: draft or running (the API answers not_running or archived otherwise).
    edit: state === "draft" || state === "running",
  };
}
