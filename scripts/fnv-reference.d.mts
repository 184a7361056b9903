// Types for scripts/fnv-reference.mjs, which the tests use as an independent oracle.

/** FNV-1a 64 of the WHATWG UTF-8 encoding of `text`, as a BigInt. */
export function fnv1a64BigInt(text: string): bigint;

/** The reference `experiment_bucket`, computed with BigInt. */
export function bucketBigInt(experiment: string, actor: string): number;
