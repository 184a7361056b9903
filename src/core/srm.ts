/**
 * The sample-ratio-mismatch (SRM) check: are enrolments split across variants the way
 * the weights say they should be? A mismatch means assignment or counting is broken
 * (a bucketing bug, a biased redirect, lost enrolments), and every result of the
 * experiment is suspect until it is explained.
 *
 * Pearson's chi-square goodness-of-fit test, as GrowthBook, PostHog and Eppo run it,
 * with the same threshold (p < 0.001). Weights may change between config revisions, so
 * the expected counts are built per revision from the weights in force then.
 *
 * The chi-square tail is computed here rather than taken from a package: jstat or
 * @stdlib would be larger than the whole Worker. It is the regularized upper incomplete
 * gamma function of Numerical Recipes (3rd ed., §6.1–6.2): a Lanczos log-gamma, a power
 * series below `x = a + 1` and a continued fraction (modified Lentz) above it.
 */
import { EPS, FPMIN, logGamma } from "./stats/special";

/** One config revision: its variant weights, and how many actors each variant enrolled under it. */
export interface RevisionCounts {
  /** Relative weights, as in `VariantConfig` (need not sum to anything; 0 disables). */
  weights: Record<string, number>;
  /** Enrolments (first assignments) per variant while this revision was in force. */
  enrolled: Record<string, number>;
}

/** The outcome of `srmCheck`, JSON-ready with snake_case fields. */
export interface SrmResult {
  test: "chi_square";
  /** Pearson's chi-square over the included variants; `null` when `df` is 0. */
  statistic: number | null;
  /** Included variants (expected count above 0) minus one, and 0 when fewer than two are included. */
  df: number;
  /** The chi-square upper tail at `statistic` with `df` degrees of freedom; `null` when `df` is 0. */
  p_value: number | null;
  /** `p_value` below this is a mismatch. */
  threshold: number;
  status: "ok" | "mismatch" | "insufficient_data";
}

/** A p-value below this is a sample ratio mismatch (GrowthBook's, PostHog's and Eppo's default). */
export const SRM_THRESHOLD = 0.001;
/** Below this many enrolments in total the check reports `insufficient_data`. */
export const SRM_MIN_ENROLLED = 100;
/**
 * Below this expected count in any included variant the check reports
 * `insufficient_data`: the chi-square approximation of Pearson's statistic needs it.
 */
export const SRM_MIN_EXPECTED = 5;

/**
 * Expected enrolments per variant: the sum over revisions of the revision's enrolments
 * (in all its variants) times the variant's share of that revision's total weight.
 *
 * Every variant named in any revision's weights or enrolments appears, with 0 when no
 * revision gave it a share (weight 0, or not configured). A revision whose weights sum
 * to 0 contributes no expected counts: nobody can be enrolled under it, so enrolments
 * there mean something else is wrong, and `srmCheck` counts them as observed (an
 * excess the test can see) rather than hiding them.
 *
 * @example
 * expectedEnrolments([
 *   { weights: { control: 50, treatment: 50 }, enrolled: { control: 480, treatment: 520 } },
 *   { weights: { control: 20, treatment: 80 }, enrolled: { control: 210, treatment: 790 } },
 * ]); // { control: 700, treatment: 1300 }
 */
export function expectedEnrolments(revisions: readonly RevisionCounts[]): Record<string, number> {
  // A Map, not an object: `__proto__` is a valid variant name.
  const expected = new Map<string, number>();
  for (const { weights, enrolled } of revisions) {
    const total = sumValues(weights);
    const enrolledInRevision = sumValues(enrolled);
    for (const [name, weight] of Object.entries(weights)) {
      const share = total > 0 ? (enrolledInRevision * weight) / total : 0;
      expected.set(name, (expected.get(name) ?? 0) + share);
    }
    for (const name of Object.keys(enrolled)) {
      if (!expected.has(name)) expected.set(name, 0);
    }
  }
  return Object.fromEntries(expected);
}

/**
 * The SRM check over an experiment's enrolments, revision by revision.
 *
 * 1. Expected counts per variant come from `expectedEnrolments`; observed counts are
 *    the enrolments per variant summed over revisions.
 * 2. Variants with expected count 0 are left out; `df` is the number left minus one.
 *    Enrolments in a left-out variant still count in their revision's total, so they
 *    show up as a deficit in the others (an SRM, as it should be) instead of vanishing.
 * 3. `statistic` is Pearson's chi-square `Σ (observed − expected)² / expected` over the
 *    included variants, and `p_value` its chi-square upper tail with `df` degrees of
 *    freedom. Both are reported whenever `df ≥ 1`, even with insufficient data, and
 *    are `null` when `df` is 0 (one or no variant has an expected share, which
 *    includes having no enrolments at all).
 * 4. `status` is `insufficient_data` when fewer than `SRM_MIN_ENROLLED` enrolments
 *    were counted in total, `df` is 0, or an included variant expects fewer than
 *    `SRM_MIN_EXPECTED`; else `mismatch` when `p_value < SRM_THRESHOLD`; else `ok`.
 *
 * Counts are non-negative integers and weights non-negative finite numbers: they come
 * from the service's own configs and counters, not from a request.
 *
 * @example
 * srmCheck([{ weights: { control: 50, treatment: 50 }, enrolled: { control: 5012, treatment: 4988 } }]);
 * // { test: "chi_square", statistic: 0.0576, df: 1, p_value: 0.8103…, threshold: 0.001, status: "ok" }
 */
export function srmCheck(revisions: readonly RevisionCounts[]): SrmResult {
  const expected = expectedEnrolments(revisions);
  const observed = new Map<string, number>();
  let enrolled = 0;
  for (const revision of revisions) {
    for (const [name, count] of Object.entries(revision.enrolled)) {
      observed.set(name, (observed.get(name) ?? 0) + count);
      enrolled += count;
    }
  }

  let included = 0;
  let statistic = 0;
  let smallestExpected = Number.POSITIVE_INFINITY;
  for (const [name, e] of Object.entries(expected)) {
    if (e <= 0) continue;
    const o = observed.get(name) ?? 0;
    included++;
    statistic += ((o - e) * (o - e)) / e;
    smallestExpected = Math.min(smallestExpected, e);
  }

  const df = Math.max(included - 1, 0);
  if (df === 0) {
    return {
      test: "chi_square",
      statistic: null,
      df,
      p_value: null,
      threshold: SRM_THRESHOLD,
      status: "insufficient_data",
    };
  }
  const p = chiSquareUpperTail(statistic, df);
  const insufficient = enrolled < SRM_MIN_ENROLLED || smallestExpected < SRM_MIN_EXPECTED;
  const status = insufficient ? "insufficient_data" : p < SRM_THRESHOLD ? "mismatch" : "ok";
  return { test: "chi_square", statistic, df, p_value: p, threshold: SRM_THRESHOLD, status };
}

/**
 * The probability that a chi-square variable with `df` degrees of freedom is at least
 * `statistic` (its survival function): `Q(df / 2, statistic / 2)`. 1 at a statistic of
 * 0; underflows to 0, never NaN, as the statistic grows (to `Infinity`).
 *
 * @throws {RangeError} when `df` is not a positive integer or `statistic` is negative or NaN.
 * @example
 * chiSquareUpperTail(3.841458820694124, 1); // 0.05
 */
export function chiSquareUpperTail(statistic: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`df must be a positive integer, got ${df}`);
  if (!(statistic >= 0)) throw new RangeError(`statistic must be a number ≥ 0, got ${statistic}`);
  return regularizedUpperGamma(df / 2, statistic / 2);
}

/** Both expansions converge in O(√a) steps: far fewer than this for the `a ≤ 49.5` of 100 variants. */
const MAX_ITERATIONS = 10_000;

/**
 * The regularized upper incomplete gamma function `Q(a, x) = Γ(a, x) / Γ(a)`, for
 * `a > 0` and `x ≥ 0`: 1 at `x = 0`, decreasing to 0 as `x` grows (exactly 0 once the
 * result underflows, and at `x = Infinity`).
 *
 * Numerical Recipes §6.2: below `x = a + 1` the series for `P = 1 − Q` converges fast
 * and `1 − P` loses little (Q is not small there); above it the continued fraction for
 * Q itself converges fast and keeps full relative precision deep into the tail.
 *
 * @throws {RangeError} when `a` is not a positive finite number or `x` is negative or NaN.
 * @example
 * regularizedUpperGamma(1, 2); // Math.exp(-2)
 */
export function regularizedUpperGamma(a: number, x: number): number {
  if (!(a > 0 && a < Number.POSITIVE_INFINITY)) throw new RangeError(`a must be a positive number, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`x must be a number ≥ 0, got ${x}`);
  if (x === 0) return 1;
  // Without this, the prefactor's `−x + a·ln x` would be −∞ + ∞ = NaN.
  if (x === Number.POSITIVE_INFINITY) return 0;
  // x^a e^−x / Γ(a), in logs so that neither factor overflows on its own.
  const prefactor = Math.exp(-x + a * Math.log(x) - logGamma(a));
  return x < a + 1 ? 1 - prefactor * lowerGammaSeries(a, x) : prefactor * upperGammaFraction(a, x);
}

/** `P(a, x)` divided by the prefactor: `Σₙ xⁿ / (a (a+1) … (a+n))` (NR `gser`). */
function lowerGammaSeries(a: number, x: number): number {
  let denominator = a;
  let term = 1 / a;
  let sum = term;
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    denominator += 1;
    term *= x / denominator;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) return sum;
  }
  throw new RangeError(`incomplete gamma series did not converge for a = ${a}, x = ${x}`);
}

/**
 * `Q(a, x)` divided by the prefactor: the continued fraction
 * `1 / (x + 1 − a − 1·(1 − a) / (x + 3 − a − 2·(2 − a) / (x + 5 − a − …)))`,
 * evaluated by the modified Lentz method (NR `gcf`).
 */
function upperGammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= EPS) return h;
  }
  throw new RangeError(`incomplete gamma continued fraction did not converge for a = ${a}, x = ${x}`);
}

function sumValues(record: Record<string, number>): number {
  let sum = 0;
  for (const value of Object.values(record)) sum += value;
  return sum;
}
