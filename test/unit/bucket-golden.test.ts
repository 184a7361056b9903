import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketBigInt } from "../../scripts/fnv-reference.mjs";
import { experimentBucket } from "../../src/core";
import { PREFIX_MEMO_LIMIT } from "../../src/core/hash";
import golden from "../fixtures/buckets.json";

// Written by scripts/generate-golden.mjs from an independent BigInt + TextEncoder
// implementation: ASCII, Latin-1, CJK, emoji, lone surrogates, empty and 1 KiB keys.
const cases = golden as [string, string, number][];

describe("experimentBucket golden vectors", () => {
  it.each(cases)("bucket(%j, %j) is %i", (experiment, actor, bucket) => {
    expect(experimentBucket(experiment, actor)).toBe(bucket);
  });
});

describe("experimentBucket against the BigInt reference", () => {
  // Any UTF-16 code unit, so lone surrogates, U+0000 and every UTF-8 length turn up,
  // mixed with ASCII so that both the ASCII loops and the general path run in one key.
  const codeUnit = fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0, max: 0xffff }),
    fc.constantFrom(0, 0x7f, 0x80, 0x7ff, 0x800, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xffff),
  );
  const text = fc.string({ unit: codeUnit.map((code) => String.fromCharCode(code)), maxLength: 40 });

  it("agrees on arbitrary text", () => {
    fc.assert(
      fc.property(text, text, (experiment, actor) => {
        expect(experimentBucket(experiment, actor)).toBe(bucketBigInt(experiment, actor));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("experimentBucket's experiment-prefix memo", () => {
  const sample = cases.filter((_, i) => i % 7 === 0);

  it("gives the same buckets in any order of experiments", () => {
    const forwards = sample.map(([experiment, actor]) => experimentBucket(experiment, actor));
    const backwards = [...sample].reverse().map(([experiment, actor]) => experimentBucket(experiment, actor));
    expect(backwards.reverse()).toEqual(forwards);
    expect(forwards).toEqual(sample.map(([, , bucket]) => bucket));
  });

  it("stays correct after more experiments than it holds", () => {
    const names = Array.from({ length: PREFIX_MEMO_LIMIT * 2 + 3 }, (_, i) => `memo_${i}`);
    for (const name of names) {
      expect(experimentBucket(name, "user:1")).toBe(bucketBigInt(name, "user:1"));
    }
    expect(experimentBucket("checkout_v2", "user:1")).toBe(4830);
    expect(experimentBucket("checkout_v2", "user:2")).toBe(6619);
    expect(experimentBucket("onboarding_v3", "user:100")).toBe(6602);
    for (const [experiment, actor, bucket] of sample) {
      expect(experimentBucket(experiment, actor)).toBe(bucket);
    }
  });
});
