import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnalysisMethod,
  type ArmStatistics,
  analyseMetric,
  analysisSettings,
  type Comparison,
  compareArms,
  type Estimate,
  isValidAlpha,
  type MetricDirection,
  SEQUENTIAL_TUNING,
  sequentialHalfWidth,
  summariseArm,
} from "../../src/core";

/** Asserts `|actual − expected| ≤ tolerance · |expected|`. */
function expectRelative(actual: number | null | undefined, expected: number, tolerance: number): void {
  if (actual === null || actual === undefined) throw new Error(`expected a number close to ${expected}, got ${actual}`);
  expect(Math.abs(actual - expected) / Math.abs(expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function expectInterval(
  actual: Estimate | { estimate: null; ci: null } | null,
  ci: [number, number],
  tolerance: number,
) {
  if (actual === null || actual.ci === null) throw new Error(`expected an interval close to [${ci}], got ${actual}`);
  expectRelative(actual.ci[0], ci[0], tolerance);
  expectRelative(actual.ci[1], ci[1], tolerance);
}

const arm = (name: string, n: number, sum: number, sum_squares: number): ArmStatistics => ({
  name,
  n,
  sum,
  sum_squares,
});

interface ReferenceCase {
  name: string;
  control: Omit<ArmStatistics, "name">;
  treatment: Omit<ArmStatistics, "name">;
  alpha: number;
  /** scipy.stats.ttest_ind(treatment, control, equal_var=False) on the raw values. */
  scipy: { estimate: number; ci: [number, number]; p_value: number; df: number };
  /** The delta-method relative interval, in Python from the formulas with scipy's t.ppf. */
  relative_fixed: { estimate: number; ci: [number, number] };
  /** GrowthBook's sequential half-width, in Python, on the absolute and relative variances. */
  sequential: { absolute: [number, number]; relative: [number, number] };
}

// Computed with scipy 1.17.1 and numpy 2.4.6 from raw values whose sums are exact in
// doubles (0/1 conversions, integers, quarters), when these tests were written. The
// intervals pin Welch's df: with 2 and 3 actors it is 2.999, and t(0.975) at df 3
// instead would move the interval by 1e-4.
const REFERENCE_CASES: ReferenceCase[] = [
  {
    name: "conversion 10% vs 13%, alpha 0.05",
    control: { n: 1000, sum: 100, sum_squares: 100 },
    treatment: { n: 1000, sum: 130, sum_squares: 130 },
    alpha: 0.05,
    scipy: {
      estimate: 0.03,
      ci: [0.002036799193397186, 0.05796320080660281],
      p_value: 0.03550333505785886,
      df: 1972.4837094891207,
    },
    relative_fixed: { estimate: 0.3, ci: [-0.019535179817768755, 0.6195351798177687] },
    sequential: {
      absolute: [-0.014540237791478748, 0.07454023779147875],
      relative: [-0.20896079423303232, 0.8089607942330324],
    },
  },
  {
    name: "conversion 10% vs 13%, alpha 0.01",
    control: { n: 1000, sum: 100, sum_squares: 100 },
    treatment: { n: 1000, sum: 130, sum_squares: 130 },
    alpha: 0.01,
    scipy: {
      estimate: 0.03,
      ci: [-0.006762897456045185, 0.06676289745604519],
      p_value: 0.03550333505785886,
      df: 1972.4837094891207,
    },
    relative_fixed: { estimate: 0.3, ci: [-0.12008921405255651, 0.7200892140525565] },
    sequential: {
      absolute: [-0.022010790121018024, 0.08201079012101803],
      relative: [-0.2943267113348303, 0.8943267113348303],
    },
  },
  {
    name: "integer revenue, unequal n and spread, alpha 0.05",
    control: { n: 37, sum: 708, sum_squares: 16896 },
    treatment: { n: 52, sum: 2399, sum_squares: 143941 },
    alpha: 0.05,
    scipy: {
      estimate: 26.99948024948025,
      ci: [19.259544158751602, 34.7394163402089],
      p_value: 1.5324907807589863e-9,
      df: 69.53385348631375,
    },
    relative_fixed: { estimate: 1.410989787049109, ci: [0.8677817995070506, 1.9541977745911674] },
    sequential: {
      absolute: [-0.2932623337559761, 54.292222832716476],
      relative: [-0.5044828472665948, 3.3264624213648126],
    },
  },
  {
    name: "integer revenue, unequal n and spread, alpha 0.01",
    control: { n: 37, sum: 708, sum_squares: 16896 },
    treatment: { n: 52, sum: 2399, sum_squares: 143941 },
    alpha: 0.01,
    scipy: {
      estimate: 26.99948024948025,
      ci: [16.722879263777838, 37.27608123518266],
      p_value: 1.5324907807589863e-9,
      df: 69.53385348631375,
    },
    relative_fixed: { estimate: 1.410989787049109, ci: [0.6897523407990053, 2.1322272332992127] },
    sequential: {
      absolute: [-1.8218907386665641, 55.82085123762707],
      relative: [-0.6117657950580846, 3.433745369156303],
    },
  },
  {
    name: "two and three actors, alpha 0.05",
    control: { n: 2, sum: 5, sum_squares: 17 },
    treatment: { n: 3, sum: 18, sum_squares: 134 },
    alpha: 0.05,
    scipy: {
      estimate: 3.5,
      ci: [-4.667003562732079, 11.667003562732079],
      p_value: 0.2658875640193173,
      df: 2.9990389235944255,
    },
    relative_fixed: { estimate: 1.4, ci: [-3.8946733283497825, 6.694673328349783] },
    sequential: {
      absolute: [-67.32509660673108, 74.32509660673108],
      relative: [-44.515952785015024, 47.31595278501502],
    },
  },
  {
    name: "two and three actors, alpha 0.01",
    control: { n: 2, sum: 5, sum_squares: 17 },
    treatment: { n: 3, sum: 18, sum_squares: 134 },
    alpha: 0.01,
    scipy: {
      estimate: 3.5,
      ci: [-11.49137187787619, 18.49137187787619],
      p_value: 0.2658875640193173,
      df: 2.9990389235944255,
    },
    relative_fixed: { estimate: 1.4, ci: [-8.318915417077546, 11.118915417077547] },
    sequential: {
      absolute: [-69.46860545217177, 76.46860545217177],
      relative: [-45.90559086045626, 48.705590860456255],
    },
  },
  {
    name: "negative values in quarter units, alpha 0.05",
    control: { n: 250, sum: -2628.25, sum_squares: 139347.1875 },
    treatment: { n: 240, sum: -1891, sum_squares: 131064 },
    alpha: 0.05,
    scipy: {
      estimate: 2.6338333333333335,
      ci: [-1.2063793059662613, 6.474045972632928],
      p_value: 0.17841084771647386,
      df: 484.8297908637514,
    },
    relative_fixed: { estimate: -0.2505310884936111, ci: [-0.5760380473263638, 0.0749758703391416] },
    sequential: {
      absolute: [-4.9382481362580055, 10.205914802924672],
      relative: [-0.8923614876691264, 0.3912993106819042],
    },
  },
  {
    name: "negative values in quarter units, alpha 0.01",
    control: { n: 250, sum: -2628.25, sum_squares: 139347.1875 },
    treatment: { n: 240, sum: -1891, sum_squares: 131064 },
    alpha: 0.01,
    scipy: {
      estimate: 2.6338333333333335,
      ci: [-2.4203558487664028, 7.68802251543307],
      p_value: 0.17841084771647386,
      df: 484.8297908637514,
    },
    relative_fixed: { estimate: -0.2505310884936111, ci: [-0.6789380296078775, 0.1778758526206553] },
    sequential: {
      absolute: [-5.836845991344328, 11.104512658010995],
      relative: [-0.9685291071466071, 0.46746693015938484],
    },
  },
];

function compareCase(c: ReferenceCase, method: AnalysisMethod): Comparison {
  return compareArms(
    { name: "control", ...c.control },
    { name: "treatment", ...c.treatment },
    {
      method,
      alpha: c.alpha,
      direction: "increase",
    },
  );
}

describe("compareArms, fixed method (Welch)", () => {
  it.each(REFERENCE_CASES)("matches scipy's ttest_ind(equal_var=False) for $name to 1e-9", (c) => {
    const result = compareCase(c, "fixed");
    expectRelative(result.absolute.estimate, c.scipy.estimate, 1e-12);
    expectInterval(result.absolute, c.scipy.ci, 1e-9);
    expectRelative(result.p_value, c.scipy.p_value, 1e-9);
  });

  it.each(REFERENCE_CASES)("matches the delta-method relative interval for $name to 1e-9", (c) => {
    const result = compareCase(c, "fixed");
    expectRelative(result.relative?.estimate, c.relative_fixed.estimate, 1e-12);
    expectInterval(result.relative, c.relative_fixed.ci, 1e-9);
  });

  // GrowthBook's gbstats test suite (packages/stats/tests/frequentist/test_tests.py,
  // test_two_sided_ttest), published to 5 decimals: its lift is our relative interval.
  it("reproduces gbstats' two-sided t test to its 5 decimals", () => {
    const result = compareArms(arm("a", 3407, 1396.87, 52377.9767), arm("b", 3461, 2422.7, 134698.29), {
      method: "fixed",
      alpha: 0.05,
      direction: "increase",
    });
    expect(result.relative?.estimate).toBeCloseTo(0.70732, 5);
    expect(result.relative?.ci[0]).toBeCloseTo(-0.03526, 5);
    expect(result.relative?.ci[1]).toBeCloseTo(1.44989, 5);
    // An older version of the same test gave the absolute interval and p-value of these arms.
    expect(result.absolute.estimate).toBeCloseTo(0.29, 5);
    expect(result.absolute.ci?.[0]).toBeCloseTo(0.04538, 5);
    expect(result.absolute.ci?.[1]).toBeCloseTo(0.53462, 5);
    expect(result.p_value).toBeCloseTo(0.02016, 5);
  });
});

describe("compareArms, sequential method", () => {
  it.each(REFERENCE_CASES)("matches the confidence sequence computed in Python for $name to 1e-9", (c) => {
    const result = compareCase(c, "sequential");
    expectInterval(result.absolute, c.sequential.absolute, 1e-9);
    expectInterval(result.relative, c.sequential.relative, 1e-9);
    expect(result.p_value).toBeNull();
  });

  // gbstats' test_sequential_test_runs: tuning 1000, published to 5 decimals. The issue's
  // transcription of the half-width, with s2 inside the square roots, would give
  // [-0.85121, 1.85793] here; GrowthBook multiplies the unit-variance margin by √s2.
  it("reproduces gbstats' sequential test to its 5 decimals", () => {
    const result = compareArms(arm("a", 3000, 1396.87, 52377.9767), arm("b", 3461, 2422.7, 134698.29), {
      method: "sequential",
      alpha: 0.05,
      direction: "increase",
      tuning: 1000,
    });
    expect(result.relative?.estimate).toBeCloseTo(0.50336, 5);
    expect(result.relative?.ci[0]).toBeCloseTo(-0.55844, 5);
    expect(result.relative?.ci[1]).toBeCloseTo(1.56516, 5);
  });

  // mpmath at 50 digits from √(V·N)·√(2(Nρ² + 1)/(N²ρ²)·ln(√(Nρ² + 1)/α)).
  it.each([
    [1, 5000, 0.05, 5000, 3.035208990376253],
    [0.00036, 2000, 0.05, 5000, 0.05926954102142441],
    [0.00025, 100, 0.01, 5000, 0.11207756028672279],
    [7.3, 1_000_000, 0.05, 5000, 9.879417501975341],
    [1e-6, 40, 0.2, 1000, 0.004645552330681842],
  ])("sequentialHalfWidth(V %s, N %s, α %s, tuning %s) is %s to 1e-12", (v, n, alpha, tuning, expected) => {
    expectRelative(sequentialHalfWidth(v, n, alpha, tuning), expected, 1e-12);
  });

  it("is wider than the fixed interval at every sample size, and its excess shrinks toward the tuning size", () => {
    const excess = (n: number) => sequentialHalfWidth(1, n, 0.05) / 1.959963984540054;
    expect(excess(100)).toBeGreaterThan(excess(1000));
    expect(excess(1000)).toBeGreaterThan(excess(SEQUENTIAL_TUNING));
    for (const n of [10, 100, 1000, SEQUENTIAL_TUNING, 1e5, 1e7]) expect(excess(n)).toBeGreaterThan(1);
  });

  it("does not depend on the metric's units: values × 100 scale the absolute interval by 100 and leave the rest", () => {
    const c = REFERENCE_CASES[2];
    if (c === undefined) throw new Error("missing case");
    for (const method of ["sequential", "fixed"] as const) {
      const base = compareCase(c, method);
      const scaled = compareArms(
        arm("control", c.control.n, c.control.sum * 100, c.control.sum_squares * 1e4),
        arm("treatment", c.treatment.n, c.treatment.sum * 100, c.treatment.sum_squares * 1e4),
        { method, alpha: c.alpha, direction: "increase" },
      );
      expectRelative(scaled.absolute.ci?.[0], 100 * (base.absolute.ci?.[0] ?? Number.NaN), 1e-12);
      expectRelative(scaled.absolute.ci?.[1], 100 * (base.absolute.ci?.[1] ?? Number.NaN), 1e-12);
      expectInterval(scaled.relative, base.relative?.ci ?? [Number.NaN, Number.NaN], 1e-12);
      expect(scaled.decision).toBe(base.decision);
    }
  });
});

describe("compareArms decisions", () => {
  // 1000 actors per arm, conversions 10% vs 15%: clearly apart under either method.
  const low = arm("control", 1000, 100, 100);
  const high = arm("treatment", 1000, 150, 150);
  const cases: [string, ArmStatistics, ArmStatistics, MetricDirection, Comparison["decision"]][] = [
    ["above 0 for a metric that should increase", low, high, "increase", "better"],
    ["above 0 for a metric that should decrease", low, high, "decrease", "worse"],
    ["below 0 for a metric that should increase", high, low, "increase", "worse"],
    ["below 0 for a metric that should decrease", high, low, "decrease", "better"],
    ["spanning 0", low, arm("treatment", 1000, 105, 105), "increase", "inconclusive"],
  ];
  for (const method of ["fixed", "sequential"] as const) {
    it.each(cases)(
      `with the ${method} method, an absolute interval entirely %s decides it`,
      (_, c, t, direction, decision) => {
        const result = compareArms(c, t, { method, alpha: 0.05, direction });
        expect(result.decision).toBe(decision);
        const [lo, hi] = result.absolute.ci ?? [Number.NaN, Number.NaN];
        if (decision === "inconclusive") expect(lo <= 0 && hi >= 0).toBe(true);
        else expect(lo > 0 || hi < 0).toBe(true);
      },
    );
  }

  it("can be better under the fixed method and inconclusive under the sequential one (the price of peeking)", () => {
    const options = { alpha: 0.05, direction: "increase" as const };
    const c = arm("control", 1000, 100, 100);
    const t = arm("treatment", 1000, 130, 130);
    expect(compareArms(c, t, { ...options, method: "fixed" }).decision).toBe("better");
    expect(compareArms(c, t, { ...options, method: "sequential" }).decision).toBe("inconclusive");
  });
});

describe("compareArms without enough data", () => {
  const insufficient = {
    variant: "treatment",
    baseline: "control",
    absolute: { estimate: null, ci: null },
    relative: null,
    p_value: null,
    decision: "insufficient_data",
  };
  const cases: [string, ArmStatistics, ArmStatistics][] = [
    ["the baseline has no actors", arm("control", 0, 0, 0), arm("treatment", 100, 10, 10)],
    ["the baseline has one actor", arm("control", 1, 1, 1), arm("treatment", 100, 10, 10)],
    ["the variant has no actors", arm("control", 100, 10, 10), arm("treatment", 0, 0, 0)],
    ["the variant has one actor", arm("control", 100, 10, 10), arm("treatment", 1, 0, 0)],
    ["both arms are constant (V_abs = 0)", arm("control", 100, 0, 0), arm("treatment", 100, 100, 100)],
    ["both arms have no conversions", arm("control", 500, 0, 0), arm("treatment", 500, 0, 0)],
    ["the variances overflow", arm("control", 3, 3e200, 1.7e308), arm("treatment", 3, -3e200, 1.7e308)],
  ];
  for (const method of ["fixed", "sequential"] as const) {
    it.each(cases)(`with the ${method} method, when %s, is insufficient_data with every number null`, (_, c, t) => {
      expect(compareArms(c, t, { method, alpha: 0.05, direction: "increase" })).toEqual(insufficient);
    });
  }

  it("has no relative lift when the baseline's mean is 0, and still an absolute one", () => {
    for (const method of ["fixed", "sequential"] as const) {
      const result = compareArms(arm("control", 100, 0, 0), arm("treatment", 100, 5, 5), {
        method,
        alpha: 0.05,
        direction: "increase",
      });
      expect(result.relative).toBeNull();
      expect(result.absolute.estimate).toBe(0.05);
      expect(result.decision).not.toBe("insufficient_data");
    }
  });

  it("has no relative lift when the ratio to a tiny baseline mean overflows", () => {
    const result = compareArms(arm("control", 4, 4e-300, 1e-300), arm("treatment", 4, 4e10, 1e21), {
      method: "fixed",
      alpha: 0.05,
      direction: "increase",
    });
    expect(result.relative).toBeNull();
    expect(result.absolute.estimate).toBeCloseTo(1e10, 0);
  });
});

/** Every number anywhere in `value` is finite (JSON would turn NaN and ±Infinity into null). */
function expectFiniteOrNull(value: unknown): void {
  if (typeof value === "number") expect(Number.isFinite(value), `${value}`).toBe(true);
  else if (Array.isArray(value)) for (const item of value) expectFiniteOrNull(item);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) expectFiniteOrNull(item);
  else expect(["string", "object"]).toContain(typeof value);
}

describe("compareArms outputs", () => {
  const armArbitrary = (name: string) =>
    fc.record({
      name: fc.constant(name),
      n: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 ** 40 })),
      sum: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e6, max: 1e6 })),
      sum_squares: fc.oneof(
        fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 1e9 }),
      ),
    });
  const options = fc.record({
    method: fc.constantFrom<AnalysisMethod>("fixed", "sequential"),
    alpha: fc.double({ min: 1e-12, max: 0.4999999, noNaN: true }),
    direction: fc.constantFrom<MetricDirection>("increase", "decrease"),
  });

  it("are always finite numbers or null, and hold their estimates inside their intervals", () => {
    fc.assert(
      fc.property(armArbitrary("control"), armArbitrary("treatment"), options, (c, t, o) => {
        const result = compareArms(c, t, o);
        expectFiniteOrNull(result);
        for (const estimate of [result.absolute, result.relative]) {
          if (estimate === null || estimate.ci === null) continue;
          expect(Number.isFinite(estimate.estimate)).toBe(true);
          expect(estimate.ci[0]).toBeLessThanOrEqual(estimate.estimate);
          expect(estimate.estimate).toBeLessThanOrEqual(estimate.ci[1]);
        }
        if (result.p_value !== null) {
          expect(result.p_value).toBeGreaterThanOrEqual(0);
          expect(result.p_value).toBeLessThanOrEqual(1);
        }
        expect(result.p_value === null).toBe(o.method === "sequential" || result.decision === "insufficient_data");
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects an invalid arm, alpha or tuning", () => {
    const ok = arm("control", 10, 1, 1);
    const options = { method: "fixed", alpha: 0.05, direction: "increase" } as const;
    expect(() => compareArms(arm("c", -1, 0, 0), ok, options)).toThrow(/n must be a non-negative integer/);
    expect(() => compareArms(arm("c", 2.5, 0, 0), ok, options)).toThrow(/n must be a non-negative integer/);
    expect(() => compareArms(arm("c", 2, Number.NaN, 0), ok, options)).toThrow(/sum must be a finite number/);
    expect(() => compareArms(ok, arm("t", 2, 1, -1), options)).toThrow(/sum_squares must be/);
    expect(() => compareArms(ok, arm("t", 2, 1, Number.POSITIVE_INFINITY), options)).toThrow(/sum_squares must be/);
    for (const alpha of [0, 0.5, -0.1, 1, Number.NaN]) {
      expect(() => compareArms(ok, ok, { ...options, alpha })).toThrow(/alpha must be in \(0, 0.5\)/);
    }
    expect(() => compareArms(ok, ok, { ...options, method: "sequential", tuning: 0 })).toThrow(/tuning must be/);
  });
});

describe("analyseMetric", () => {
  const metric = {
    name: "purchase_rate",
    event: "purchase",
    kind: "conversion",
    direction: "increase",
    role: "goal",
    unattributed: 3,
  } as const;

  it("answers the issue's shape: the metric's fields, its variants summarised, one comparison per non-baseline variant", () => {
    const result = analyseMetric(
      metric,
      [arm("control", 1000, 100, 100), arm("treatment", 1000, 150, 150), arm("other", 1000, 95, 95)],
      { method: "sequential", alpha: 0.05 },
    );
    expect(Object.keys(result)).toEqual([
      "name",
      "event",
      "kind",
      "direction",
      "role",
      "unattributed",
      "variants",
      "comparisons",
    ]);
    expect(result.variants[0]).toEqual({
      name: "control",
      n: 1000,
      sum: 100,
      sum_squares: 100,
      mean: 0.1,
      variance: (100 - 100 * 0.1) / 999,
    });
    expect(result.comparisons.map((c) => [c.baseline, c.variant, c.decision])).toEqual([
      ["control", "treatment", "better"],
      ["control", "other", "inconclusive"],
    ]);
    expect(Object.keys(result.comparisons[0] ?? {})).toEqual([
      "variant",
      "baseline",
      "absolute",
      "relative",
      "p_value",
      "decision",
    ]);
  });

  it("decides by the metric's direction", () => {
    const result = analyseMetric(
      { ...metric, direction: "decrease" },
      [arm("control", 1000, 100, 100), arm("treatment", 1000, 150, 150)],
      { method: "fixed", alpha: 0.05 },
    );
    expect(result.comparisons[0]?.decision).toBe("worse");
  });

  it("has no comparisons with fewer than two variants, and null mean and variance where they are undefined", () => {
    expect(analyseMetric(metric, [], { method: "fixed", alpha: 0.05 }).comparisons).toEqual([]);
    const single = analyseMetric(metric, [arm("control", 0, 0, 0)], { method: "fixed", alpha: 0.05 });
    expect(single.comparisons).toEqual([]);
    expect(single.variants).toEqual([{ name: "control", n: 0, sum: 0, sum_squares: 0, mean: null, variance: null }]);
    expect(summariseArm(arm("one", 1, 7, 49))).toMatchObject({ mean: 7, variance: null });
  });

  it("clamps a variance that rounding takes below 0 to 0", () => {
    // Three actors with 0.1 each: Q − S·m is −3.5e-18 in doubles, not 0.
    const summary = summariseArm(arm("flat", 3, 0.30000000000000004, 0.030000000000000002));
    expect(summary.variance).toBe(0);
  });
});

describe("analysisSettings and alpha", () => {
  it("defaults to the sequential method at α = 0.05 with GrowthBook's tuning of 5000", () => {
    expect(analysisSettings()).toEqual({ method: "sequential", alpha: 0.05, tuning: 5000 });
    expect(analysisSettings({ method: "fixed", alpha: 0.01 })).toEqual({ method: "fixed", alpha: 0.01, tuning: null });
  });

  it("accepts exactly 0 < α < 0.5", () => {
    for (const alpha of [1e-9, 0.05, 0.1, 0.4999]) expect(isValidAlpha(alpha)).toBe(true);
    for (const alpha of [0, 0.5, 0.7, -0.01, Number.NaN, Number.POSITIVE_INFINITY])
      expect(isValidAlpha(alpha)).toBe(false);
    expect(() => analysisSettings({ alpha: 0.5 })).toThrow(/alpha must be in/);
  });
});
