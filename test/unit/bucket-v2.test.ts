import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketBigInt, bucketV2BigInt, coverageBucketBigInt } from "../../scripts/fnv-reference.mjs";
import {
  BUCKETS,
  bucketV2,
  coverageBucket,
  experimentBucket,
  experimentBucketV2,
  PREFIX_MEMO_LIMIT,
} from "../../src/core/hash";
import goldenCoverage from "../fixtures/coverage-buckets.json";

// The golden vectors of every hash version, coverage included, are checked in
// bucket-golden.test.ts; this file holds version 2's other tests.
const coverageCases = goldenCoverage as [string, string, number][];

describe("hash version 2 against the BigInt reference", () => {
  // Any UTF-16 code unit, so lone surrogates, U+0000 and every UTF-8 length turn up,
  // mixed with ASCII so that both the ASCII loops and the general path run in one key.
  const codeUnit = fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0, max: 0xffff }),
    fc.constantFrom(0, 0x7f, 0x80, 0x7ff, 0x800, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xffff),
  );
  const text = fc.string({ unit: codeUnit.map((code) => String.fromCharCode(code)), maxLength: 40 });

  it("agrees on arbitrary text, as a key, a variant key and a coverage key", () => {
    fc.assert(
      fc.property(text, text, (experiment, actor) => {
        expect(bucketV2(actor)).toBe(bucketV2BigInt(actor));
        expect(experimentBucketV2(experiment, actor)).toBe(bucketV2BigInt(`${experiment}:${actor}`));
        expect(coverageBucket(experiment, actor)).toBe(coverageBucketBigInt(experiment, actor));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the prefix memos of version 2", () => {
  it("keep an experiment's coverage prefix apart from its variant prefix", () => {
    // Each call below finds the other kind of prefix already memoised for "memo_apart".
    expect(coverageBucket("memo_apart", "user:1")).toBe(coverageBucketBigInt("memo_apart", "user:1"));
    expect(experimentBucketV2("memo_apart", "user:1")).toBe(bucketV2BigInt("memo_apart:user:1"));
    expect(experimentBucket("memo_apart", "user:1")).toBe(bucketBigInt("memo_apart", "user:1"));
    expect(coverageBucket("memo_apart", "user:1")).toBe(coverageBucketBigInt("memo_apart", "user:1"));
  });

  it("stay correct after more experiments than they hold", () => {
    const names = Array.from({ length: PREFIX_MEMO_LIMIT * 2 + 3 }, (_, i) => `memo_${i}`);
    for (const name of names) {
      expect(coverageBucket(name, "user:1")).toBe(coverageBucketBigInt(name, "user:1"));
      expect(experimentBucketV2(name, "user:1")).toBe(bucketV2BigInt(`${name}:user:1`));
    }
    for (const [experiment, actor, bucket] of coverageCases) {
      expect(coverageBucket(experiment, actor)).toBe(bucket);
    }
  });
});

// Deterministic statistical checks on fixed inputs: each statistic must stay under its
// critical value at p = 0.001 (a fair hash fails one such check by chance once in a
// thousand inputs; these inputs are fixed, so the result never flips between runs).
const CRITICAL_DF99 = 148.23;
const CRITICAL_DF1 = 10.828;
const ACTORS = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);
const HALF = BUCKETS / 2;

/** Pearson's chi-square of `buckets` over 100 equal bins of `[0, BUCKETS)` against uniform. */
function uniformityChiSquare(buckets: number[]): number {
  const counts = new Array<number>(100).fill(0);
  for (const bucket of buckets) {
    const bin = Math.floor(bucket / (BUCKETS / 100));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const expected = buckets.length / 100;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

/**
 * Pearson's chi-square (no continuity correction) of independence of two yes/no series,
 * from their 2x2 table: n (ad - bc)^2 / (row and column totals multiplied).
 */
function independenceChiSquare(x: boolean[], y: boolean[]): number {
  let [a, b, c, d] = [0, 0, 0, 0];
  x.forEach((xi, i) => {
    if (xi && y[i]) a++;
    else if (xi) b++;
    else if (y[i]) c++;
    else d++;
  });
  return (x.length * (a * d - b * c) ** 2) / ((a + b) * (c + d) * (a + c) * (b + d));
}

const inHalf = (bucket: (actor: string) => number) => ACTORS.map((actor) => bucket(actor) < HALF);

describe("hash version 2 statistics on user:0 to user:99999", () => {
  it.each(["checkout_v2", "onboarding_v3", "pricing_page"])(
    "spreads %s's variant buckets uniformly over 100 bins",
    (experiment) => {
      const chi = uniformityChiSquare(ACTORS.map((actor) => experimentBucketV2(experiment, actor)));
      expect(chi).toBeLessThan(CRITICAL_DF99);
    },
  );

  it("splits exp_a 50/50 independently of exp_b", () => {
    const a = inHalf((actor) => experimentBucketV2("exp_a", actor));
    const b = inHalf((actor) => experimentBucketV2("exp_b", actor));
    expect(independenceChiSquare(a, b)).toBeLessThan(CRITICAL_DF1);
  });

  it("covers actors at 5000 bp in exp_a independently of exp_b", () => {
    const a = inHalf((actor) => coverageBucket("exp_a", actor));
    const b = inHalf((actor) => coverageBucket("exp_b", actor));
    expect(independenceChiSquare(a, b)).toBeLessThan(CRITICAL_DF1);
  });

  it("covers actors at 5000 bp in exp_a independently of their exp_a variant bucket", () => {
    const covered = inHalf((actor) => coverageBucket("exp_a", actor));
    const firstHalf = inHalf((actor) => experimentBucketV2("exp_a", actor));
    expect(independenceChiSquare(covered, firstHalf)).toBeLessThan(CRITICAL_DF1);
  });
});
