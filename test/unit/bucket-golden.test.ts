import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketBigInt } from "../../scripts/fnv-reference.mjs";
import { bucketV2, coverageBucket, experimentBucket, experimentBucketV2 } from "../../src/core";
import { PREFIX_MEMO_LIMIT } from "../../src/core/hash";
import goldenV1 from "../fixtures/buckets.json";
import goldenV2 from "../fixtures/buckets-v2.json";
import goldenCoverage from "../fixtures/coverage-buckets.json";

// Written by scripts/generate-golden.mjs from an independent BigInt + TextEncoder
// implementation: ASCII, Latin-1, CJK, emoji, lone surrogates, empty and 1 KiB keys.
const v1Cases = goldenV1 as [string, string, number][];
const v2Keys = goldenV2 as [string, number][];
const coverageCases = goldenCoverage as [string, string, number][];

/** One golden vector: the arguments of the bucketing function and the bucket the reference gave. */
type Vector = [args: string[], bucket: number];

const pairs = (rows: [string, string, number][]): Vector[] =>
  rows.map(([experiment, actor, bucket]) => [[experiment, actor], bucket]);
// Every version-2 key with a colon, split at its first one: `${experiment}:${actor}` is the key again.
const splitKeys = v2Keys.flatMap(([key, bucket]): Vector[] => {
  const colon = key.indexOf(":");
  return colon < 0 ? [] : [[[key.slice(0, colon), key.slice(colon + 1)], bucket]];
});

/**
 * A golden file, or part of one, and the function that must reproduce every bucket in
 * it. Vitest cuts each `$field` of a title at 40 characters, so these stay shorter.
 */
interface GoldenSet {
  name: string;
  hash: string;
  fixture: string;
  bucket: (...args: string[]) => number;
  vectors: Vector[];
}

const GOLDEN: GoldenSet[] = [
  {
    name: "experimentBucket",
    hash: "hash version 1",
    fixture: "buckets.json",
    bucket: experimentBucket,
    vectors: pairs(v1Cases),
  },
  {
    name: "bucketV2",
    hash: "hash version 2",
    fixture: "buckets-v2.json",
    bucket: bucketV2,
    vectors: v2Keys.map(([key, bucket]) => [[key], bucket]),
  },
  {
    name: "experimentBucketV2",
    hash: "hash version 2",
    fixture: "the colon keys of buckets-v2.json",
    bucket: experimentBucketV2,
    vectors: splitKeys,
  },
  {
    name: "coverageBucket",
    hash: "hash version 2 of the coverage key",
    fixture: "coverage-buckets.json",
    bucket: coverageBucket,
    vectors: pairs(coverageCases),
  },
];

describe.each(GOLDEN)("$name ($hash) matches the BigInt reference on $fixture", ({ bucket, vectors }) => {
  it.each(vectors)("puts %j in bucket %i", (args, expected) => {
    expect(bucket(...args)).toBe(expected);
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
  const sample = v1Cases.filter((_, i) => i % 7 === 0);

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
