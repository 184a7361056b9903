import { BUCKETS } from "./hash";
import type { VariantConfig } from "./types";

/**
 * Maps a bucket in `[0, 10 000)` to a variant in proportion to the weights, exactly as
 * the reference does with u64 integers: `threshold = floor(bucket * total / 10 000)`,
 * then the first variant whose cumulative weight exceeds the threshold. `null` when
 * every weight is zero (or there are no variants).
 *
 * Exact in doubles: 100 weights of at most 2^32 - 1 sum below 2^39, and
 * `bucket * total` stays below 2^53. The floor is taken by subtracting the remainder,
 * so no rounded quotient can cross an integer.
 *
 * @example
 * selectVariant([{ name: "control", weight: 30 }, { name: "treatment", weight: 70 }], 2999); // "control"
 */
export function selectVariant(variants: readonly VariantConfig[], bucket: number): string | null {
  let total = 0;
  for (const v of variants) total += v.weight;
  if (total === 0) return null;
  const scaled = bucket * total;
  const threshold = (scaled - (scaled % BUCKETS)) / BUCKETS;
  let cumulative = 0;
  for (const v of variants) {
    cumulative += v.weight;
    if (threshold < cumulative) return v.name;
  }
  // Unreachable for buckets below 10 000; kept for parity with the reference.
  return variants[variants.length - 1]?.name ?? null;
}
