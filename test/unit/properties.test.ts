import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUCKETS,
  experimentBucket,
  experimentConfig,
  planAssignment,
  prepareExperiment,
  selectVariant,
  type VariantConfig,
} from "../../src/core";
import { makeSvc, v } from "./helpers";

const weights = fc.array(fc.integer({ min: 0, max: 4_294_967_295 }), { minLength: 1, maxLength: 100 });
const variantsOf = (ws: number[]): VariantConfig[] => ws.map((w, i) => v(`v${i}`, w));
const bucket = fc.integer({ min: 0, max: BUCKETS - 1 });

/** The reference's u64 arithmetic, in BigInt, as the oracle for selectVariant. */
function selectVariantBigInt(variants: VariantConfig[], b: number): string | null {
  const total = variants.reduce((sum, x) => sum + BigInt(x.weight), 0n);
  if (total === 0n) return null;
  const threshold = (BigInt(b) * total) / 10_000n;
  let cumulative = 0n;
  for (const x of variants) {
    cumulative += BigInt(x.weight);
    if (threshold < cumulative) return x.name;
  }
  return variants[variants.length - 1]?.name ?? null;
}

describe("selectVariant properties", () => {
  it("matches the reference's integer arithmetic for any weights in [0, 2^32-1] and up to 100 variants", () => {
    fc.assert(
      fc.property(weights, bucket, (ws, b) => {
        const variants = variantsOf(ws);
        expect(selectVariant(variants, b)).toBe(selectVariantBigInt(variants, b));
      }),
      { numRuns: 2000 },
    );
  });

  it("matches at the largest weights, where floating-point division would round", () => {
    const variants = variantsOf(Array.from({ length: 100 }, () => 4_294_967_295));
    for (const b of [0, 1, 4999, 5000, 9998, 9999]) {
      expect(selectVariant(variants, b)).toBe(selectVariantBigInt(variants, b));
    }
  });

  it("never chooses a zero-weight variant", () => {
    fc.assert(
      fc.property(weights, bucket, (ws, b) => {
        const variants = variantsOf(ws);
        const chosen = selectVariant(variants, b);
        if (chosen !== null) expect(variants.find((x) => x.name === chosen)?.weight).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("assignment properties", () => {
  it("is a pure function of (experiment, actor, weights) until stored", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), weights, (experiment, actor, ws) => {
        const config = { ...experimentConfig(experiment, variantsOf(ws)), state: "running" as const };
        const first = planAssignment(experiment, actor, prepareExperiment(config), {});
        const second = planAssignment(experiment, actor, prepareExperiment(structuredClone(config)), {});
        expect(second).toEqual(first);
        expect(first.kind).toBe("store");
        if (first.kind === "store") {
          expect(first.request.candidate).toBe(selectVariant(config.variants, experimentBucket(experiment, actor)));
        }
      }),
    );
  });

  it("splits 10,000 random actors within 2 percentage points of the weights", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 5 }),
        fc.integer(),
        async (ws, seed) => {
          const svc = makeSvc();
          const variants = variantsOf(ws);
          await svc.create(experimentConfig("split", variants));
          await svc.start("split");
          const counts = new Map<string, number>();
          for (let i = 0; i < 10_000; i++) {
            const variant = await svc.assign("split", `actor:${seed}:${i}`);
            counts.set(variant, (counts.get(variant) ?? 0) + 1);
          }
          const total = ws.reduce((a, b) => a + b, 0);
          for (const x of variants) {
            const observed = (counts.get(x.name) ?? 0) / 10_000;
            expect(Math.abs(observed - x.weight / total)).toBeLessThanOrEqual(0.02);
          }
        },
      ),
      { numRuns: 5 },
    );
  });
});
