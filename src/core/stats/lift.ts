/**
 * Lift with confidence intervals (issue 21): each variant of one metric against the
 * baseline (the first variant), from per-variant sufficient statistics (n, Σx, Σx²).
 * Pure maths: no HTTP, no storage. docs/STATISTICS.md gives the formulas, their
 * references, and when to use the fixed or the sequential method.
 *
 * Every division is guarded: an arm with n < 2, a zero or non-finite variance, or
 * anything that overflows gives `insufficient_data` or a `null`, never NaN or Infinity.
 */
import { studentTCdf, studentTQuantile } from "./student-t";

/** `fixed`: Welch's t test, valid when looked at once. `sequential`: valid however often it is looked at. */
export type AnalysisMethod = "sequential" | "fixed";
export const ANALYSIS_METHODS: readonly AnalysisMethod[] = ["sequential", "fixed"];
export const DEFAULT_ANALYSIS_METHOD: AnalysisMethod = "sequential";
export const DEFAULT_ALPHA = 0.05;
/** The sample size (both arms together) at which the confidence sequence is narrowest: GrowthBook's default. */
export const SEQUENTIAL_TUNING = 5000;

/** Which way is good for the metric. */
export type MetricDirection = "increase" | "decrease";
export type Decision = "better" | "worse" | "inconclusive" | "insufficient_data";

/** One variant's sufficient statistics for one metric: actors, Σx and Σx² over them. */
export interface ArmStatistics {
  name: string;
  n: number;
  sum: number;
  sum_squares: number;
}

/** An arm with its mean (`null` when n = 0) and sample variance (`null` when n < 2). */
export interface VariantSummary extends ArmStatistics {
  mean: number | null;
  variance: number | null;
}

export interface Estimate {
  estimate: number;
  ci: [number, number];
}

/** One variant against the baseline. With `insufficient_data`, every number is `null`. */
export interface Comparison {
  variant: string;
  baseline: string;
  absolute: Estimate | { estimate: null; ci: null };
  /** `null` when the baseline's mean is 0 (or the ratio overflows). */
  relative: Estimate | null;
  /** Welch's two-sided p-value for the fixed method; `null` for the sequential one. */
  p_value: number | null;
  decision: Decision;
}

/** The `analysis` object of the results: how every comparison in them was computed. */
export interface AnalysisSettings {
  method: AnalysisMethod;
  alpha: number;
  /** The sequential tuning parameter; `null` for the fixed method, which has none. */
  tuning: number | null;
}

export interface AnalysisOptions {
  method: AnalysisMethod;
  /** 0 < α < 0.5: the intervals are (1 − α) two-sided. */
  alpha: number;
  /** The sequential method's tuning parameter; `SEQUENTIAL_TUNING` unless given. */
  tuning?: number;
}

export interface ComparisonOptions extends AnalysisOptions {
  direction: MetricDirection;
}

/** What the engine needs to know of a metric, and passes through to the results. */
export interface MetricDescriptor {
  name: string;
  event: string;
  kind: string;
  direction: MetricDirection;
  role: string;
  unattributed: number;
}

/** One metric's results: the descriptor's fields, then its variants and comparisons. */
export type MetricAnalysis<M extends MetricDescriptor = MetricDescriptor> = Pick<M, keyof MetricDescriptor> & {
  variants: VariantSummary[];
  comparisons: Comparison[];
};

/** Whether `alpha` is an accepted significance level: 0 < α < 0.5. */
export function isValidAlpha(alpha: number): boolean {
  return alpha > 0 && alpha < 0.5;
}

/**
 * The `analysis` object for a method and α (defaults: sequential, 0.05).
 *
 * @throws {RangeError} when α is not in (0, 0.5) or the tuning parameter is not a positive finite number.
 * @example
 * analysisSettings(); // { method: "sequential", alpha: 0.05, tuning: 5000 }
 * analysisSettings({ method: "fixed", alpha: 0.01 }); // { method: "fixed", alpha: 0.01, tuning: null }
 */
export function analysisSettings(options: Partial<AnalysisOptions> = {}): AnalysisSettings {
  const { method = DEFAULT_ANALYSIS_METHOD, alpha = DEFAULT_ALPHA, tuning = SEQUENTIAL_TUNING } = options;
  checkOptions(alpha, tuning);
  return { method, alpha, tuning: method === "sequential" ? tuning : null };
}

/**
 * An arm's mean `S/n` and sample variance `(Q − S²/n)/(n − 1)`, clamped at 0 (rounding
 * can take `Q − S²/n` slightly below it); `null` where undefined or not finite.
 *
 * @throws {RangeError} when `n` is not a non-negative integer, `sum` is not finite, or `sum_squares` is negative or not finite.
 * @example
 * summariseArm({ name: "control", n: 4, sum: 2, sum_squares: 2 });
 * // { name: "control", n: 4, sum: 2, sum_squares: 2, mean: 0.5, variance: 0.3333333333333333 }
 */
export function summariseArm(arm: ArmStatistics): VariantSummary {
  const { name, n, sum, sum_squares } = arm;
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!Number.isFinite(sum)) throw new RangeError(`sum must be a finite number, got ${sum}`);
  if (!(Number.isFinite(sum_squares) && sum_squares >= 0)) {
    throw new RangeError(`sum_squares must be a finite number ≥ 0, got ${sum_squares}`);
  }
  const mean = n > 0 ? sum / n : null;
  const raw = mean !== null && n >= 2 ? (sum_squares - sum * mean) / (n - 1) : Number.NaN;
  const variance = Number.isFinite(raw) ? Math.max(0, raw) : null;
  return { name, n, sum, sum_squares, mean, variance };
}

/**
 * `treatment` against `control` (the baseline): the absolute difference of means and the
 * relative lift with (1 − α) intervals, Welch's p-value (fixed method only), and the
 * decision the absolute interval supports given the metric's direction.
 *
 * 1. Each arm needs n ≥ 2; then Δ = m_t − m_c and V_abs = s²_t/n_t + s²_c/n_c. Without
 *    both arms, or with V_abs = 0 (or an overflow), the answer is `insufficient_data`.
 * 2. Every interval is estimate ± k·√V, with k = t(1 − α/2, Welch df) for the fixed
 *    method and the asymptotic confidence sequence's `sequentialHalfWidth(1, N)` at
 *    N = n_t + n_c for the sequential one.
 * 3. The relative lift r = Δ/m_c has the delta-method variance
 *    V_rel = s²_t/(m_c² n_t) + s²_c m_t²/(m_c⁴ n_c); it is `null` when m_c = 0.
 * 4. Welch's two-sided p-value, for the fixed method only.
 * 5. The decision: the absolute interval entirely above 0 is `better` for a metric that
 *    should increase (`worse` for one that should decrease), entirely below 0 the reverse,
 *    and otherwise `inconclusive`.
 *
 * @throws {RangeError} on an invalid arm (see `summariseArm`), α or tuning parameter.
 * @example
 * compareArms(
 *   { name: "control", n: 1000, sum: 100, sum_squares: 100 },
 *   { name: "treatment", n: 1000, sum: 150, sum_squares: 150 },
 *   { method: "fixed", alpha: 0.05, direction: "increase" },
 * ); // absolute.estimate 0.05, ci ≈ [0.0211, 0.0789], p_value ≈ 0.00072, decision "better"
 */
export function compareArms(control: ArmStatistics, treatment: ArmStatistics, options: ComparisonOptions): Comparison {
  const { method, alpha, direction, tuning = SEQUENTIAL_TUNING } = options;
  checkOptions(alpha, tuning);
  const c = summariseArm(control);
  const t = summariseArm(treatment);
  const names = { variant: treatment.name, baseline: control.name };

  // 1. The absolute difference and its variance.
  if (c.mean === null || c.variance === null || t.mean === null || t.variance === null) return insufficient(names);
  const errorT = t.variance / t.n; // s²_t/n_t
  const errorC = c.variance / c.n; // s²_c/n_c
  const vAbs = errorT + errorC;
  const delta = t.mean - c.mean;
  if (!(vAbs > 0 && Number.isFinite(vAbs) && Number.isFinite(delta))) return insufficient(names);

  // 2. The multiplier of √V, and Welch's df where the fixed method needs it.
  const df = method === "fixed" ? welchDegreesOfFreedom(errorT, errorC, t.n, c.n) : 0;
  const multiplier =
    method === "fixed" ? studentTQuantile(1 - alpha / 2, df) : sequentialHalfWidth(1, t.n + c.n, alpha, tuning);
  const absolute = interval(delta, vAbs, multiplier);
  if (absolute === null) return insufficient(names);

  // 3. The relative lift: V_rel = (s²_t/n_t + (m_t/m_c)²·s²_c/n_c)/m_c².
  let relative: Estimate | null = null;
  if (c.mean !== 0) {
    const ratio = t.mean / c.mean;
    relative = interval(delta / c.mean, (errorT + ratio * ratio * errorC) / c.mean / c.mean, multiplier);
  }

  // 4. From the lower tail, so that it keeps its precision when tiny.
  const p_value = method === "fixed" ? Math.min(1, 2 * studentTCdf(-Math.abs(delta) / Math.sqrt(vAbs), df)) : null;

  // 5. The decision.
  return { ...names, absolute, relative, p_value, decision: decide(absolute.ci, direction) };
}

/**
 * One metric's results: every variant summarised, and each variant after the first
 * compared with the first (the baseline), in order.
 *
 * @throws {RangeError} as `compareArms` does.
 * @example
 * analyseMetric(
 *   { name: "purchase_rate", event: "purchase", kind: "conversion", direction: "increase", role: "goal", unattributed: 0 },
 *   [{ name: "control", n: 1000, sum: 100, sum_squares: 100 }, { name: "treatment", n: 1000, sum: 150, sum_squares: 150 }],
 *   { method: "sequential", alpha: 0.05 },
 * ); // { name: "purchase_rate", …, variants: [2 summaries], comparisons: [treatment vs control] }
 */
export function analyseMetric<M extends MetricDescriptor>(
  metric: M,
  variants: readonly ArmStatistics[],
  options: AnalysisOptions,
): MetricAnalysis<M> {
  const [baseline, ...others] = variants;
  const { name, event, kind, direction, role, unattributed } = metric;
  return {
    name,
    event,
    kind,
    direction,
    role,
    unattributed,
    variants: variants.map(summariseArm),
    comparisons:
      baseline === undefined ? [] : others.map((arm) => compareArms(baseline, arm, { ...options, direction })),
  };
}

/**
 * The half-width of the asymptotic confidence sequence of Waudby-Smith et al. (2023) as
 * GrowthBook's sequential t test computes it, for an estimate with variance `variance`
 * after `n` actors in both arms together:
 * `√s2 · √(2(Nρ² + 1)/(N²ρ²) · ln(√(Nρ² + 1)/α))` with `s2 = V·N` and
 * `ρ² = (−2 ln α + ln(−2 ln α + 1))/tuning`. It is narrowest relative to the fixed
 * interval near N = tuning, and scales with √V like any interval, so a metric's units
 * do not change its decisions.
 *
 * @throws {RangeError} when `n` is not positive.
 * @example
 * sequentialHalfWidth(1, 5000, 0.05); // 3.0352… (a fixed interval's z would be 1.96)
 */
export function sequentialHalfWidth(variance: number, n: number, alpha: number, tuning = SEQUENTIAL_TUNING): number {
  if (!(n > 0)) throw new RangeError(`n must be positive, got ${n}`);
  const logAlpha = -2 * Math.log(alpha);
  const nRho2 = (n * (logAlpha + Math.log1p(logAlpha))) / tuning; // N·ρ²
  // s2·2(Nρ² + 1)/(N²ρ²) = V·2(Nρ² + 1)/(Nρ²), and ln(√(Nρ² + 1)/α) = ½ ln(1 + Nρ²) − ln α.
  return Math.sqrt(((variance * 2 * (nRho2 + 1)) / nRho2) * (0.5 * Math.log1p(nRho2) - Math.log(alpha)));
}

/**
 * Welch–Satterthwaite: `V_abs² / (s⁴_t/(n_t²(n_t − 1)) + s⁴_c/(n_c²(n_c − 1)))`, written
 * with the shares of V_abs so that nothing overflows or underflows: between
 * min(n_t, n_c) − 1 and n_t + n_c − 2 whatever the scale of the values.
 */
function welchDegreesOfFreedom(errorT: number, errorC: number, nT: number, nC: number): number {
  const shareT = errorT / (errorT + errorC);
  const shareC = errorC / (errorT + errorC);
  return 1 / ((shareT * shareT) / (nT - 1) + (shareC * shareC) / (nC - 1));
}

/** `estimate ± multiplier·√variance`, or `null` if any part of it is not finite. */
function interval(estimate: number, variance: number, multiplier: number): Estimate | null {
  if (!(Number.isFinite(estimate) && Number.isFinite(variance))) return null;
  const width = multiplier * Math.sqrt(variance);
  const ci: [number, number] = [estimate - width, estimate + width];
  return Number.isFinite(ci[0]) && Number.isFinite(ci[1]) ? { estimate, ci } : null;
}

function decide([low, high]: [number, number], direction: MetricDirection): Decision {
  if (low > 0) return direction === "increase" ? "better" : "worse";
  if (high < 0) return direction === "increase" ? "worse" : "better";
  return "inconclusive";
}

function insufficient(names: { variant: string; baseline: string }): Comparison {
  return {
    ...names,
    absolute: { estimate: null, ci: null },
    relative: null,
    p_value: null,
    decision: "insufficient_data",
  };
}

function checkOptions(alpha: number, tuning: number): void {
  if (!isValidAlpha(alpha)) throw new RangeError(`alpha must be in (0, 0.5), got ${alpha}`);
  if (!(tuning > 0 && tuning < Number.POSITIVE_INFINITY)) {
    throw new RangeError(`tuning must be a positive number, got ${tuning}`);
  }
}
