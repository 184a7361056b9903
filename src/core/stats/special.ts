/**
 * Special functions for the statistics engine: log-gamma, log-beta and the regularized
 * incomplete beta function, which the Student t distribution is built on.
 *
 * Hand-written rather than taken from a package, for the reason src/core/srm.ts gives for
 * its chi-square tail: jstat (27.6 KiB gzip) or @stdlib (37.6 KiB gzip) would weigh more
 * than the whole Worker. The algorithms are the textbook ones: Numerical Recipes (3rd ed.,
 * §6.1 `gammln`, §6.4 `betai`/`betacf`), with log-beta computed as R's `lbeta` does
 * (Stirling's series for the large arguments), so that the Welch t test keeps its
 * precision at the degrees of freedom of large experiments.
 */

/** The machine epsilon: series and continued fractions stop when a step changes less. */
export const EPS = Number.EPSILON;
/** Near the smallest normal double, and still invertible without overflow (NR's `FPMIN`). */
export const FPMIN = 2.2250738585072014e-308 / EPS;

/**
 * Lanczos coefficients for g = 607/128, N = 14 (NR 3rd ed. `gammln`), written as the
 * doubles that NR's 18-digit literals round to.
 */
const LANCZOS = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202, 3.399464998481189e-5,
  4.652362892704858e-5, -9.837447530487956e-5, 1.580887032249125e-4, -2.1026444172410488e-4, 2.1743961811521265e-4,
  -1.643181065367639e-4, 8.441822398385275e-5, -2.6190838401581408e-5, 3.6899182659531625e-6,
];
const LANCZOS_C0 = 0.9999999999999971;
/** √(2π), correctly rounded. */
const SQRT_TWO_PI = 2.5066282746310007;
/** ln √(2π), correctly rounded. */
const LN_SQRT_TWO_PI = 0.9189385332046728;

/**
 * `ln Γ(z)` for `z > 0`, to about double precision relative to its size (NR `gammln`).
 *
 * @example
 * logGamma(5); // Math.log(24)
 */
export function logGamma(z: number): number {
  const t = z + 5.2421875; // z + g + 1/2
  let series = LANCZOS_C0;
  for (const [k, coefficient] of LANCZOS.entries()) series += coefficient / (z + k + 1);
  return (z + 0.5) * Math.log(t) - t + Math.log((SQRT_TWO_PI * series) / z);
}

/**
 * Coefficients `B₂ₖ / (2k (2k − 1))` of Stirling's series for `ln Γ`, k = 1…8. From
 * x = 10 on, the first omitted term is below 1e-17 relative to the first.
 */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];
/** From this argument on, `stirlingCorrection` is accurate to double precision. */
const STIRLING_FROM = 10;

/** `ln Γ(x) − ((x − ½) ln x − x + ln √(2π))` for `x ≥ 10`: Stirling's series (R's `lgammacor`). */
function stirlingCorrection(x: number): number {
  const inverseSquare = 1 / (x * x);
  let sum = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) sum = sum * inverseSquare + (STIRLING[k] ?? 0);
  return sum / x;
}

/**
 * `ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b)` for `a, b > 0`.
 *
 * When an argument is large, the three log-gammas are each far larger than their sum
 * (at a = 10⁷, about 1.5·10⁸ each against a sum near 8), so adding them would lose
 * eight digits. There, as in R's `lbeta`, the large terms of Stirling's formula are
 * combined analytically and only the small corrections are added.
 *
 * @example
 * logBeta(2, 3); // Math.log(1 / 12)
 */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (q < STIRLING_FROM) return logGamma(p) + logGamma(q) - logGamma(p + q);
  const share = p / (p + q);
  const correction = stirlingCorrection(q) - stirlingCorrection(p + q);
  if (p < STIRLING_FROM) {
    return logGamma(p) + correction + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-share);
  }
  return (
    -0.5 * Math.log(q) +
    LN_SQRT_TWO_PI +
    correction +
    stirlingCorrection(p) +
    (p - 0.5) * Math.log(share) +
    q * Math.log1p(-share)
  );
}

/**
 * NR bounds the continued fraction's steps by O(√max(a, b)). For the Student t
 * distribution (b = ½) at most 57 were needed over df from 0.1 to 10¹⁰ and |t| from
 * 10⁻⁴ to 10⁴; this many means something is wrong.
 */
const MAX_ITERATIONS = 10_000;

/**
 * The regularized incomplete beta function `I_x(a, b)`, for `a, b > 0` and `0 ≤ x ≤ 1`.
 *
 * `complement` is `1 − x`; pass it when it is known more precisely than `1 − x` can be
 * computed (the Student t distribution knows both from `t²/ν`). NR §6.4: the continued
 * fraction for `I_x(a, b)` converges fast below `x = (a + 1)/(a + b + 2)`, and above it
 * the symmetry `I_x(a, b) = 1 − I_{1−x}(b, a)` is used, so the result keeps full
 * relative precision wherever it is small.
 *
 * @throws {RangeError} when `a` or `b` is not a positive finite number or `x` is outside [0, 1].
 * @example
 * regularizedIncompleteBeta(0.5, 2, 2); // 0.5
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number, complement = 1 - x): number {
  if (!(a > 0 && a < Number.POSITIVE_INFINITY)) throw new RangeError(`a must be a positive number, got ${a}`);
  if (!(b > 0 && b < Number.POSITIVE_INFINITY)) throw new RangeError(`b must be a positive number, got ${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`x must be in [0, 1], got ${x}`);
  if (x === 0) return 0;
  // Not `x === 1`: x may round to 1 while its known complement is still positive.
  if (complement === 0) return 1;
  // ln x and ln(1 − x), each from whichever of x and 1 − x is further from 1.
  const lnX = x < 0.5 ? Math.log(x) : Math.log1p(-complement);
  const lnComplement = complement < 0.5 ? Math.log(complement) : Math.log1p(-x);
  // x^a (1 − x)^b / B(a, b), in logs so that no factor overflows or underflows on its own.
  const front = Math.exp(a * lnX + b * lnComplement - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(a, b, x)) / a;
  return 1 - (front * betaFraction(b, a, complement)) / b;
}

/** The continued fraction for `I_x(a, b)` divided by `x^a (1 − x)^b / (a B(a, b))`, by the modified Lentz method (NR `betacf`). */
function betaFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = nonZero(1 - (qab * x) / qap);
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    // The even step.
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    h *= d * c;
    // The odd step.
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 / nonZero(1 + aa * d);
    c = nonZero(1 + aa / c);
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= EPS) return h;
  }
  throw new RangeError(`incomplete beta continued fraction did not converge for a = ${a}, b = ${b}, x = ${x}`);
}

/** Lentz's guard: a denominator that vanishes is replaced by a tiny one. */
function nonZero(value: number): number {
  return Math.abs(value) < FPMIN ? FPMIN : value;
}
