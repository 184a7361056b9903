import { describe, expect, it } from "vitest";
import { experimentBucket, experimentBucketer } from "../../src/core";
import golden from "../fixtures/buckets.json";

// Written by scripts/generate-golden.mjs from an independent BigInt + TextEncoder
// implementation: ASCII, Latin-1, CJK, emoji, lone surrogates, empty and 1 KiB keys.
const cases = golden as [string, string, number][];

describe("experimentBucket golden vectors", () => {
  it("covers at least 2,000 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(2000);
  });

  it.each(cases)("bucket(%j, %j) is %i", (experiment, actor, bucket) => {
    expect(experimentBucket(experiment, actor)).toBe(bucket);
  });
});

describe("experimentBucketer", () => {
  it.each(cases.slice(0, 500))("agrees with experimentBucket for (%j, %j)", (experiment, actor, bucket) => {
    expect(experimentBucketer(experiment)(actor)).toBe(bucket);
  });

  it("keeps its experiment's prefix when other hashes run in between", () => {
    const checkout = experimentBucketer("checkout_v2");
    expect(experimentBucket("onboarding_v3", "user:100")).toBe(6602);
    expect(checkout("user:1")).toBe(4830);
    expect(checkout("user:2")).toBe(6619);
  });
});
