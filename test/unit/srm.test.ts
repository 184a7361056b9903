import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chiSquareUpperTail,
  expectedEnrolments,
  type RevisionCounts,
  regularizedUpperGamma,
  SRM_THRESHOLD,
  srmCheck,
} from "../../src/core/srm";

/** Asserts `|actual − expected| / |expected| < tolerance`. */
function expectRelative(actual: number | null, expected: number, tolerance: number): void {
  if (actual === null) throw new Error(`expected a number close to ${expected}, got null`);
  expect(Math.abs(actual - expected) / Math.abs(expected), `${actual} vs ${expected}`).toBeLessThan(tolerance);
}

// An independent oracle for odd df: erfc by the Taylor series of erf in 320-bit fixed
// point, where its alternating terms cannot cancel away the digits that matter.
const FRACTION_BITS = 320n;
const ONE = 1n << FRACTION_BITS;
const PI_100_DECIMALS =
  "31415926535897932384626433832795028841971693993751058209749445923078164062862089986280348253421170679";
const PI = (BigInt(PI_100_DECIMALS) << FRACTION_BITS) / 10n ** 100n;

function isqrt(n: bigint): bigint {
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const next = (x + n / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}

/**
 * The df = 1 chi-square tail `erfc(√(x/2))`, as `1 − 2·√(y/π)·Σₙ (−y)ⁿ / (n!·(2n + 1))`
 * with `y = x/2` taken exactly from the double `x` (any `x ≥ 2⁻⁸`).
 */
function chiSquareTailDf1(x: number): number {
  const scaled = x * 2 ** 60;
  if (!Number.isInteger(scaled)) throw new Error(`${x} is not a multiple of 2^-60`);
  const y = BigInt(scaled) << (FRACTION_BITS - 61n);
  let term = ONE; // (−y)ⁿ / n!
  let sum = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = (-term * y) / (n << FRACTION_BITS);
    sum += term / (2n * n + 1n);
  }
  const rootYOverPi = isqrt(((y << FRACTION_BITS) / PI) << FRACTION_BITS);
  const erfc = ONE - ((2n * rootYOverPi * sum) >> FRACTION_BITS);
  return Number(erfc) / 2 ** Number(FRACTION_BITS);
}

/**
 * The chi-square tail from the recurrence `Q(a + 1, y) = Q(a, y) + yᵃ e^−y / Γ(a + 1)`,
 * `y = x/2`, started at `Q(1, y) = e^−y` for even df and at the erfc oracle for odd df.
 */
function chiSquareTailByRecurrence(x: number, df: number): number {
  const y = x / 2;
  let a = df % 2 === 0 ? 1 : 0.5;
  let q = df % 2 === 0 ? Math.exp(-y) : chiSquareTailDf1(x);
  // yᵃ e^−y / Γ(a + 1); Γ(3/2) = √π / 2.
  let term = df % 2 === 0 ? y * Math.exp(-y) : 2 * Math.sqrt(y / Math.PI) * Math.exp(-y);
  for (; a < df / 2; a++) {
    q += term;
    term *= y / (a + 1);
  }
  return q;
}

const XS = [0.01, 0.1, 0.5, 1, 1.5, 2, 2.9, 3, 3.1, 3.999, 4, 4.001, 5, 6, 7, 8, 10, 15, 20, 30, 50, 100, 200];

describe("chiSquareUpperTail", () => {
  const evenClosedForms: [number, (y: number) => number][] = [
    [2, (y) => Math.exp(-y)],
    [4, (y) => Math.exp(-y) * (1 + y)],
    [6, (y) => Math.exp(-y) * (1 + y + (y * y) / 2)],
  ];
  const evenCases = evenClosedForms.flatMap(([df, tail]) =>
    [...XS, 500, 1000, 1400].map((x) => [df, x, tail(x / 2)] as const),
  );

  it.each(evenCases)("matches the closed form for df = %i at x = %s to 1e-12", (df, x, expected) => {
    expectRelative(chiSquareUpperTail(x, df), expected, 1e-12);
  });

  it.each(XS)("matches erfc(√(x/2)) for df = 1 at x = %s to 1e-12", (x) => {
    expectRelative(chiSquareUpperTail(x, 1), chiSquareTailDf1(x), 1e-12);
  });

  it.each(XS)("matches the recurrence in a for every df up to 99 (100 variants) at x = %s to 1e-12", (x) => {
    for (let df = 1; df <= 99; df++) {
      expectRelative(chiSquareUpperTail(x, df), chiSquareTailByRecurrence(x, df), 1e-12);
    }
  });

  // R's qchisq(1 - p, df) to 16 significant digits, as text: a number literal would claim
  // more digits than a double holds. Two entries of the list we were given were wrong and
  // are corrected here, both checked against the closed forms evaluated in 320-bit fixed
  // point: df 1 at 0.001 read 10.82756617046470 (its p is off by 1.1e-10, which a 1e-9
  // tolerance lets through), df 4 at 0.01 read 13.27670418021977 (p off by 1.9e-8; in
  // doubles, e^(-x/2)(1 + x/2) gives 0.0099999998 there). So the tolerance is 1e-12.
  const criticalValues: [number, number, string][] = [
    [1, 0.05, "3.841458820694124"],
    [1, 0.01, "6.634896601021214"],
    [1, 0.001, "10.82756617066273"],
    [2, 0.05, "5.991464547107979"],
    [2, 0.01, "9.210340371976183"],
    [2, 0.001, "13.81551055796427"],
    [3, 0.05, "7.814727903251178"],
    [3, 0.01, "11.34486673014437"],
    [3, 0.001, "16.26623619623813"],
    [4, 0.05, "9.487729036781154"],
    [4, 0.01, "13.27670413598762"],
    [4, 0.001, "18.46682695290317"],
    [5, 0.05, "11.07049769351635"],
    [5, 0.01, "15.08627246938899"],
    [5, 0.001, "20.51500565243288"],
  ];

  it.each(criticalValues)("with df = %i is %s at the published critical value %s (to 1e-12)", (df, p, critical) => {
    expectRelative(chiSquareUpperTail(Number(critical), df), p, 1e-12);
  });

  it("is exactly 1 at a statistic of 0", () => {
    for (let df = 1; df <= 99; df++) expect(chiSquareUpperTail(0, df)).toBe(1);
  });

  it("underflows to exactly 0, not NaN, for huge statistics", () => {
    for (const df of [1, 2, 3, 50, 99]) {
      for (const statistic of [2000, 1e6, 1e300, Number.MAX_VALUE, Number.POSITIVE_INFINITY]) {
        expect(chiSquareUpperTail(statistic, df)).toBe(0);
      }
    }
  });

  it("stays in [0, 1] and never increases with the statistic", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }),
        fc.double({ min: 0, max: 3000, noNaN: true }),
        fc.double({ min: 0, max: 3000, noNaN: true }),
        (df, s, t) => {
          const [low, high] = s <= t ? [s, t] : [t, s];
          const pLow = chiSquareUpperTail(low, df);
          const pHigh = chiSquareUpperTail(high, df);
          expect(pHigh).toBeGreaterThanOrEqual(0);
          expect(pLow).toBeLessThanOrEqual(1);
          expect(pHigh).toBeLessThanOrEqual(pLow);
        },
      ),
    );
  });

  it("rejects a df that is not a positive integer", () => {
    for (const df of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => chiSquareUpperTail(1, df)).toThrow(/df must be a positive integer/);
    }
  });

  it("rejects a negative or NaN statistic", () => {
    for (const statistic of [-1e-9, -1, Number.NaN]) {
      expect(() => chiSquareUpperTail(statistic, 1)).toThrow(/statistic must be/);
    }
  });
});

describe("regularizedUpperGamma", () => {
  it("is e^−x for a = 1", () => {
    for (const x of [0.5, 2, 40]) expectRelative(regularizedUpperGamma(1, x), Math.exp(-x), 1e-14);
  });

  it("rejects a ≤ 0, a non-finite a and a negative x", () => {
    for (const [a, x] of [
      [0, 1],
      [-1, 1],
      [Number.POSITIVE_INFINITY, 1],
      [Number.NaN, 1],
      [1, -1],
    ] as const) {
      expect(() => regularizedUpperGamma(a, x)).toThrow(/must be a/);
    }
  });
});

describe("expectedEnrolments", () => {
  it("splits each revision's enrolments by that revision's weights", () => {
    const revisions: RevisionCounts[] = [
      { weights: { control: 50, treatment: 50 }, enrolled: { control: 480, treatment: 520 } },
      { weights: { control: 20, treatment: 80 }, enrolled: { control: 210, treatment: 790 } },
    ];
    expect(expectedEnrolments(revisions)).toEqual({ control: 700, treatment: 1300 });
  });

  it("lists a variant with weight 0, or enrolments but no weight, with 0 expected", () => {
    const revisions: RevisionCounts[] = [
      { weights: { control: 1, treatment: 1, holdout: 0 }, enrolled: { control: 10, treatment: 10, stray: 2 } },
    ];
    expect(expectedEnrolments(revisions)).toEqual({ control: 11, treatment: 11, holdout: 0, stray: 0 });
  });

  it("adds nothing for a revision whose weights sum to 0", () => {
    const revisions: RevisionCounts[] = [
      { weights: { control: 1, treatment: 1 }, enrolled: { control: 50, treatment: 50 } },
      { weights: { control: 0, treatment: 0 }, enrolled: { control: 30 } },
    ];
    expect(expectedEnrolments(revisions)).toEqual({ control: 50, treatment: 50 });
  });

  it("counts a variant named __proto__ like any other", () => {
    const weights = JSON.parse('{"__proto__": 1, "control": 1}') as Record<string, number>;
    const result = expectedEnrolments([{ weights, enrolled: JSON.parse('{"__proto__": 4, "control": 6}') }]);
    expect(Object.entries(result)).toEqual([
      ["__proto__", 5],
      ["control", 5],
    ]);
  });
});

describe("srmCheck", () => {
  const fiftyFifty = (control: number, treatment: number): RevisionCounts[] => [
    { weights: { control: 50, treatment: 50 }, enrolled: { control, treatment } },
  ];

  it("reports ok for a balanced 50/50 split, in the documented shape", () => {
    const statistic = (5012 - 5000) ** 2 / 5000 + (4988 - 5000) ** 2 / 5000; // 0.0576
    const result = srmCheck(fiftyFifty(5012, 4988));
    expect(result).toEqual({
      test: "chi_square",
      statistic: expect.any(Number),
      df: 1,
      p_value: expect.any(Number),
      threshold: 0.001,
      status: "ok",
    });
    expectRelative(result.statistic, statistic, 1e-12);
    expectRelative(result.p_value, chiSquareTailDf1(statistic), 1e-12); // 0.8103
  });

  it("flags 5000 vs 4600 at 50/50 as a mismatch (p ≈ 4.5e-5)", () => {
    const statistic = (5000 - 4800) ** 2 / 4800 + (4600 - 4800) ** 2 / 4800; // 16.67
    const result = srmCheck(fiftyFifty(5000, 4600));
    expect(result.status).toBe("mismatch");
    expectRelative(result.statistic, statistic, 1e-12);
    expectRelative(result.p_value, chiSquareTailDf1(statistic), 1e-12);
  });

  it("does not flag 5000 vs 4700 at 50/50: p ≈ 0.0023 is above the 0.001 threshold", () => {
    const statistic = (5000 - 4850) ** 2 / 4850 + (4700 - 4850) ** 2 / 4850; // 9.28
    const result = srmCheck(fiftyFifty(5000, 4700));
    expectRelative(result.p_value, chiSquareTailDf1(statistic), 1e-12);
    expect(result.p_value).toBeGreaterThan(SRM_THRESHOLD);
    expect(result.status).toBe("ok");
  });

  it("expects three variants in proportion to unequal weights, with df = 2 and p = e^(−χ²/2)", () => {
    const revisions: RevisionCounts[] = [{ weights: { a: 50, b: 30, c: 20 }, enrolled: { a: 5100, b: 2950, c: 1950 } }];
    const statistic = (5100 - 5000) ** 2 / 5000 + (2950 - 3000) ** 2 / 3000 + (1950 - 2000) ** 2 / 2000; // 4.08
    const result = srmCheck(revisions);
    expect(result.df).toBe(2);
    expectRelative(result.statistic, statistic, 1e-12);
    expectRelative(result.p_value, Math.exp(-statistic / 2), 1e-12); // 0.13
    expect(result.status).toBe("ok");
  });

  it("flags three variants whose split strays from unequal weights", () => {
    const revisions: RevisionCounts[] = [{ weights: { a: 50, b: 30, c: 20 }, enrolled: { a: 5300, b: 2900, c: 1800 } }];
    const statistic = (5300 - 5000) ** 2 / 5000 + (2900 - 3000) ** 2 / 3000 + (1800 - 2000) ** 2 / 2000; // 41.3
    const result = srmCheck(revisions);
    expectRelative(result.p_value, Math.exp(-statistic / 2), 1e-12);
    expect(result.status).toBe("mismatch");
  });

  it("leaves a zero-weight variant out of the test, one degree of freedom fewer", () => {
    const revisions: RevisionCounts[] = [
      { weights: { control: 1, treatment: 1, holdout: 0 }, enrolled: { control: 500, treatment: 520, holdout: 0 } },
    ];
    const statistic = (500 - 510) ** 2 / 510 + (520 - 510) ** 2 / 510;
    const result = srmCheck(revisions);
    expect(result.df).toBe(1);
    expectRelative(result.statistic, statistic, 1e-12);
    expectRelative(result.p_value, chiSquareTailDf1(statistic), 1e-12);
  });

  it("follows each revision's weights: 50/50 then 10/90 is ok, though pooled under either it is a mismatch", () => {
    const revisions: RevisionCounts[] = [
      { weights: { control: 50, treatment: 50 }, enrolled: { control: 1010, treatment: 990 } },
      { weights: { control: 10, treatment: 90 }, enrolled: { control: 195, treatment: 1805 } },
    ];
    // Expected: control 1000 + 200, treatment 1000 + 1800; observed 1205 and 2795.
    const statistic = (1205 - 1200) ** 2 / 1200 + (2795 - 2800) ** 2 / 2800;
    const result = srmCheck(revisions);
    expectRelative(result.statistic, statistic, 1e-12);
    expect(result.status).toBe("ok");

    const pooled = { control: 1205, treatment: 2795 };
    expect(srmCheck([{ weights: { control: 10, treatment: 90 }, enrolled: pooled }]).status).toBe("mismatch");
    expect(srmCheck([{ weights: { control: 50, treatment: 50 }, enrolled: pooled }]).status).toBe("mismatch");
  });

  it("counts enrolments in a variant with no expected share in the total, so the others fall short", () => {
    const revisions: RevisionCounts[] = [
      { weights: { control: 1, treatment: 1, holdout: 0 }, enrolled: { control: 1000, treatment: 1000, holdout: 300 } },
    ];
    // Expected 1150 each for control and treatment; observed 1000 each.
    const statistic = (2 * 150 ** 2) / 1150;
    const result = srmCheck(revisions);
    expect(result.df).toBe(1);
    expectRelative(result.statistic, statistic, 1e-12);
    expect(result.status).toBe("mismatch");
  });

  it("counts enrolments under a revision whose weights sum to 0 as observed but not expected", () => {
    const revisions: RevisionCounts[] = [
      { weights: { control: 1, treatment: 1 }, enrolled: { control: 500, treatment: 500 } },
      { weights: { control: 0, treatment: 0 }, enrolled: { control: 100 } },
    ];
    const result = srmCheck(revisions);
    expectRelative(result.statistic, (600 - 500) ** 2 / 500, 1e-12);
    expect(result.status).toBe("mismatch");
  });

  it("reports insufficient_data below 100 enrolments, with the statistic and p-value still computed", () => {
    const result = srmCheck(fiftyFifty(50, 49));
    const statistic = (50 - 49.5) ** 2 / 49.5 + (49 - 49.5) ** 2 / 49.5;
    expect(result.status).toBe("insufficient_data");
    expectRelative(result.statistic, statistic, 1e-12);
    expectRelative(result.p_value, chiSquareTailDf1(statistic), 1e-12);
  });

  it("checks from exactly 100 enrolments", () => {
    expect(srmCheck(fiftyFifty(50, 50)).status).toBe("ok");
  });

  it("reports insufficient_data when an included variant expects fewer than 5, and checks from 5", () => {
    const split = (control: number, treatment: number): RevisionCounts[] => [
      { weights: { control: 98, treatment: 2 }, enrolled: { control, treatment } },
    ];
    expect(srmCheck(split(196, 4)).status).toBe("insufficient_data"); // expects 4 in treatment
    expect(srmCheck(split(245, 5)).status).toBe("ok"); // expects 5
  });

  it("reports df 0 and a null statistic and p-value when only one variant has an expected share", () => {
    const revisions: RevisionCounts[] = [{ weights: { only: 1, off: 0 }, enrolled: { only: 500 } }];
    expect(srmCheck(revisions)).toEqual({
      test: "chi_square",
      statistic: null,
      df: 0,
      p_value: null,
      threshold: 0.001,
      status: "insufficient_data",
    });
  });

  it("reports df 0 and a null statistic and p-value with no enrolments", () => {
    for (const revisions of [[], fiftyFifty(0, 0)]) {
      expect(srmCheck(revisions)).toMatchObject({ statistic: null, df: 0, p_value: null, status: "insufficient_data" });
    }
  });
});
