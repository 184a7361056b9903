import {
  type Comparison,
  type ExperimentConfig,
  type ExperimentResults,
  type MetricResults,
  type TargetingCondition,
  type Variant,
  variantFromText,
} from "../client";
import { AUTO_STOP_ACTOR, SCHEDULE_ACTOR } from "../core/admin";
import { ANALYSIS_METHODS } from "../core/stats/lift";

/**
 * Pure formatting: no DOM, so the browser test's Node side and the page agree on what
 * a share or a status reads like.
 */

export type State = ExperimentConfig["state"];
export type SrmStatus = ExperimentResults["srm"]["status"];
export type AnalysisMethod = ExperimentResults["analysis"]["method"];
export type MetricKind = MetricResults["kind"];
export type Decision = Comparison["decision"];

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

const MINUS = "\u2212";
const upTo = (digits: number) => new Intl.NumberFormat("en-US", { maximumFractionDigits: digits });
const whole = upTo(0);
const oneDecimal = upTo(1);
const twoDecimals = upTo(2);
const threeDigits = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 });

/**
 * `value` with a real minus sign or a plus, its size written by `size`; a size that
 * rounds to zero gets no sign (no "−0").
 */
function signed(value: number, size: (magnitude: number) => string): string {
  const text = size(Math.abs(value));
  return /[1-9]/.test(text) ? `${value < 0 ? MINUS : "+"}${text}` : text;
}

/** A size in percent (or points): one decimal, two below 1 so that a small lift does not read as 0. */
function percentSize(magnitude: number): string {
  const points = magnitude * 100;
  return (points < 1 ? twoDecimals : oneDecimal).format(points);
}

/** A relative lift as a signed percentage: `0.123` → `"+12.3%"`, `-0.0042` → `"−0.42%"`, `0` → `"0%"`. */
export function signedPercent(share: number): string {
  return `${signed(share, percentSize)}%`;
}

/** A difference of two shares in percentage points: `0.052` → `"+5.2 pp"`. */
export function signedPoints(share: number): string {
  return `${signed(share, percentSize)} pp`;
}

/**
 * A metric's value in its own unit (a mean, a difference): three significant digits,
 * whole numbers from 1,000: `4.567` → `"4.57"`, `0.04567` → `"0.0457"`, `12345.6` → `"12,346"`.
 */
export function metricNumber(value: number): string {
  const magnitude = Math.abs(value);
  const text = (magnitude >= 1000 ? whole : threeDigits).format(magnitude);
  return value < 0 && /[1-9]/.test(text) ? `${MINUS}${text}` : text;
}

/** `metricNumber` with its sign: `3.2` → `"+3.2"`, `-1` → `"−1"`. */
export function signedNumber(value: number): string {
  return signed(value, metricNumber);
}

/** A variant's mean of a metric: a conversion rate as a percentage, a sum's mean per actor as a number; `—` without actors. */
export function metricMean(kind: MetricKind, mean: number | null): string {
  if (mean === null) return "—";
  return kind === "conversion" ? percent(mean) : metricNumber(mean);
}

/** What a comparison shows as its lift, in words. */
export interface Lift {
  /** `relative`: a share of the baseline's mean; `absolute`: a difference of means in the metric's unit. */
  measure: "relative" | "absolute";
  estimate: number;
  ci: [number, number];
  /** `"+12.3%"`, `"+5.2 pp"`. */
  estimateText: string;
  /** `"−1.2% to +25.8%"`. */
  intervalText: string;
  /** `"+12.3% (−1.2% to +25.8%)"`. */
  text: string;
}

/**
 * A comparison's lift: the relative one, or, where there is none (the baseline's mean is
 * 0), the difference of means (in percentage points for a conversion rate); `null`
 * without enough data for either.
 * @example
 * lift({ relative: { estimate: 0.5, ci: [0.1, 0.9] }, … }, "conversion")?.text; // "+50% (+10% to +90%)"
 */
export function lift(comparison: Comparison, kind: MetricKind): Lift | null {
  const { relative } = comparison;
  return relative === null ? difference(comparison, kind) : described("relative", relative, signedPercent);
}

/**
 * A comparison's difference of means, which its decision rests on: in percentage points
 * for a conversion rate, in the metric's unit for a sum; `null` without enough data.
 * @example
 * difference({ absolute: { estimate: 0.05, ci: [0.02, 0.08] }, … }, "conversion")?.text; // "+5 pp (+2 pp to +8 pp)"
 */
export function difference(comparison: Comparison, kind: MetricKind): Lift | null {
  const { absolute } = comparison;
  if (absolute.estimate === null) return null;
  return described("absolute", absolute, kind === "conversion" ? signedPoints : signedNumber);
}

function described(
  measure: Lift["measure"],
  { estimate, ci }: { estimate: number; ci: [number, number] },
  format: (value: number) => string,
): Lift {
  const estimateText = format(estimate);
  const intervalText = `${format(ci[0])} to ${format(ci[1])}`;
  return { measure, estimate, ci, estimateText, intervalText, text: `${estimateText} (${intervalText})` };
}

/** A method as the address carries it (`?method=fixed`); `null` for anything else. */
export function analysisMethod(text: string | null): AnalysisMethod | null {
  return ANALYSIS_METHODS.find((method) => method === text) ?? null;
}

/** Goal metrics first, then guardrails, each in the order of the definition. */
export function goalsFirst<M extends { role: string }>(metrics: readonly M[]): M[] {
  return [...metrics.filter((m) => m.role === "goal"), ...metrics.filter((m) => m.role !== "goal")];
}

export const DECISION_LABEL: Record<Decision, string> = {
  better: "Better",
  worse: "Worse",
  inconclusive: "Inconclusive",
  insufficient_data: "Not enough data yet",
};

/** The confidence of the intervals, from α: `0.05` → `"95%"`. */
export function confidence(alpha: number): string {
  return percent(1 - alpha);
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

/** A range of basis points `[start, end)` as percentages: `[0, 2500]` → `"0%–25%"`. */
export function bpRange([start, end]: readonly [number, number]): string {
  return `${coverage(start)}–${coverage(end)}`;
}

/** The same range as words, for a screen reader (a dash may go unread): `"0% to 25%"`. */
export function bpRangeWords([start, end]: readonly [number, number]): string {
  return `${coverage(start)} to ${coverage(end)}`;
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
 * A `<input type="datetime-local">` value read as a time in UTC (the dashboard's times are
 * all UTC), in UNIX seconds; `null` for anything else (the empty value of a cleared field).
 * @example
 * parseUtcInput("2026-12-24T09:00"); // 1798102800
 */
export function parseUtcInput(text: string): number | null {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (parts === null) return null;
  const [, year = "", month = "", day = "", hour = "", minute = "", second = "00"] = parts;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  // Date.UTC rolls 2026-02-30 over into March (and 24:00 into the next day): a value that
  // does not come back as it was typed is no time at all.
  const typed = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== typed ? null : ms / 1000;
}

/** UNIX seconds as a `datetime-local` value in UTC, to the minute: `1798102800` → `"2026-12-24T09:00"`. */
export function utcInputValue(secs: number): string {
  return new Date(secs * 1000).toISOString().slice(0, 16);
}

/** A schedule as a read shows it: each part's time, `null` where that part is not set. */
export type ScheduleRead = NonNullable<ExperimentConfig["schedule"]>;

/**
 * What an experiment will do by itself, and when:
 * `"Starts 2026-12-24 09:00 UTC, concludes 2027-01-07 09:00 UTC with treatment"`, or
 * `"Nothing scheduled"`.
 */
export function scheduleWords(schedule: ScheduleRead | null): string {
  const parts: string[] = [];
  if (schedule?.start_at_secs != null) parts.push(`starts ${utc(schedule.start_at_secs)}`);
  if (schedule?.conclude_at_secs != null) {
    parts.push(`concludes ${utc(schedule.conclude_at_secs)} with ${schedule.winner ?? "no winner named"}`);
  }
  const text = parts.join(", ");
  return text === "" ? "Nothing scheduled" : `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** `schedule_skipped=start (layer_overlap)`: which part did not fire, and why. */
function skippedPart(value: string): string | null {
  const skipped = /^(start|conclude) \((.*)\)$/.exec(value);
  if (skipped === null) return null;
  return `Scheduled ${skipped[1] === "start" ? "start" : "conclusion"} skipped (${skipped[2]})`;
}

/** `concluded=control (guardrail errors: treatment worse)`: an automatic stop, else a conclusion. */
function concluded(value: string): string {
  const stopped = /^(.*) \(guardrail (.*): (.*) worse\)$/.exec(value);
  if (stopped === null) return `Concluded, winner ${value}`;
  return `Concluded, winner ${stopped[1]}: guardrail ${stopped[2]} got worse for ${stopped[3]}`;
}

/**
 * A history entry's mutation in words. The strings are the API's (`created`,
 * `state=running`, `concluded=<winner>`, `concluded=<baseline> (guardrail <metric>:
 * <variant> worse)`, `schedule_skipped=<part> (<why>)`, `set_weights`, `coverage=<bp>`,
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
      return concluded(value);
    case "schedule_skipped":
      return skippedPart(value) ?? text;
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

/**
 * The actors the Worker records for what it does by itself, in words (`schedule`: a part of
 * a schedule fired or was skipped; `auto_stop`: a guardrail concluded the experiment);
 * any other actor is an admin token's name or an `X-Admin-Actor`, shown as it is.
 */
export const AUTOMATIC_ACTORS: ReadonlyMap<string, string> = new Map([
  [SCHEDULE_ACTOR, "Schedule"],
  [AUTO_STOP_ACTOR, "Auto-stop on guardrails"],
]);

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
