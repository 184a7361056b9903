// Types for scripts/fnv-reference.mjs, which the tests use as an independent oracle.

/** FNV-1a 64 of the WHATWG UTF-8 encoding of `text`, as a BigInt. */
export function fnv1a64BigInt(text: string): bigint;

/** The reference `experiment_bucket`, computed with BigInt. */
export function bucketBigInt(experiment: string, actor: string): number;

/** MurmurHash3's `fmix64` finaliser of the 64-bit `hash`, as a BigInt. */
export function fmix64BigInt(hash: bigint): bigint;

/** Hash version 2: `fmix64(fnv1a64(UTF-8 of key)) mod 10 000`, computed with BigInt. */
export function bucketV2BigInt(key: string): number;

/** The coverage bucket of `actor` in `experiment`: `bucket_v2("<experiment>/coverage:<actor>")`. */
export function coverageBucketBigInt(experiment: string, actor: string): number;
