/**
 * Deterministic bucketing: FNV-1a 64 over the UTF-8 bytes of `"<experiment>:<actor>"`,
 * mod 10 000, bit-exact with the reference's `experiment_bucket`. Version 2 finalizes
 * the same state with MurmurHash3's `fmix64` first, so that sequential ids spread
 * evenly and do not correlate between experiments (docs/VALIDITY.md).
 *
 * NEITHER MAY EVER CHANGE: another bucket silently moves every actor not yet stored.
 * Golden files from an independent BigInt implementation guard both. The 64-bit state
 * lives in two int32 halves, with no BigInt and no allocation per byte, and the state
 * after `"<experiment>:"` is memoised per experiment (BENCHMARKS.md, "Core", says why
 * and what each step measured).
 */

/** Number of buckets: `experimentBucket` returns values in `[0, BUCKETS)`. */
export const BUCKETS = 10_000;

/**
 * How many experiment prefixes each memo holds before it starts over. Far above any
 * real set of running experiments; it only bounds memory if a caller feeds it
 * arbitrary names.
 */
export const PREFIX_MEMO_LIMIT = 1024;

// FNV-1a 64 offset basis 0xcbf29ce484222325, as high and low 32-bit halves.
const OFFSET_HI = 0xcbf29ce4 | 0;
const OFFSET_LO = 0x84222325 | 0;
// The FNV-1a 64 prime is 2^40 + PRIME_LOW.
const PRIME_LOW = 0x1b3;

/** A hash state: the high and low 32-bit halves of the 64-bit FNV-1a value. */
interface HashState {
  hi: number;
  lo: number;
}

/**
 * The low half of the hash that the latest `step` or `feed` produced. They return the
 * high half and leave the low half here, so that nothing is allocated per byte or per
 * call; every function below runs to completion synchronously, so no two hashes can
 * interleave.
 */
let steppedLo = 0;

/**
 * Hash states after `"<experiment>:"`, by experiment: the prefix of both
 * `experimentBucket` and `experimentBucketV2`, which differ only after the FNV-1a.
 */
const variantPrefixes = new Map<string, HashState>();

/**
 * Hash states after `"<experiment>/coverage:"`, by experiment. A map of its own, so that
 * an experiment's coverage prefix and its variant prefix never share an entry, without
 * building the prefix string on every call to look it up.
 */
const coveragePrefixes = new Map<string, HashState>();

/** Hash states after `"<layer>/layer:"`, by layer. */
const layerPrefixes = new Map<string, HashState>();
/** Hash states after `"<holdout>/holdout:"`, by holdout. */
const holdoutPrefixes = new Map<string, HashState>();

const VARIANT_SEPARATOR = ":";
const COVERAGE_SEPARATOR = "/coverage:";
const LAYER_SEPARATOR = "/layer:";
const HOLDOUT_SEPARATOR = "/holdout:";

// fmix64's multipliers 0xff51afd7ed558ccd and 0xc4ceb9fe1a85ec53, as high and low halves.
const MIX1_HI = 0xff51afd7 | 0;
const MIX1_LO = 0xed558ccd | 0;
const MIX2_HI = 0xc4ceb9fe | 0;
const MIX2_LO = 0x1a85ec53 | 0;

/**
 * The assignment bucket of `actor` in `experiment`, in `[0, 10 000)`.
 *
 * @example
 * experimentBucket("checkout_v2", "user:1"); // 4830
 */
export function experimentBucket(experiment: string, actor: string): number {
  const prefix = variantPrefixes.get(experiment) ?? rememberPrefix(variantPrefixes, experiment, VARIANT_SEPARATOR);
  const hi = feed(actor, prefix.hi, prefix.lo);
  return reduce(hi, steppedLo);
}

/**
 * Hash version 2 of `key`, in `[0, 10 000)`: `fmix64(fnv1a64(UTF-8 of key)) mod 10 000`,
 * a lone surrogate encoding as U+FFFD. Bit-exact with `bucketV2BigInt` in
 * scripts/fnv-reference.mjs; `test/fixtures/buckets-v2.json` guards it.
 *
 * @example
 * bucketV2("checkout_v2:user:1"); // 1638
 */
export function bucketV2(key: string): number {
  const hi = feed(key, OFFSET_HI, OFFSET_LO);
  return mixAndReduce(hi, steppedLo);
}

/**
 * The version-2 assignment bucket of `actor` in `experiment`, in `[0, 10 000)`:
 * `bucketV2("<experiment>:<actor>")`, with the experiment's prefix memoised.
 *
 * @example
 * experimentBucketV2("checkout_v2", "user:1"); // 1638
 */
export function experimentBucketV2(experiment: string, actor: string): number {
  const prefix = variantPrefixes.get(experiment) ?? rememberPrefix(variantPrefixes, experiment, VARIANT_SEPARATOR);
  const hi = feed(actor, prefix.hi, prefix.lo);
  return mixAndReduce(hi, steppedLo);
}

/**
 * The coverage bucket of `actor` in `experiment`, in `[0, 10 000)`:
 * `bucketV2("<experiment>/coverage:<actor>")`. A key of its own, so that whether an
 * actor is covered is independent of which variant it would get. Valid experiment
 * names contain neither `/` nor `:`, so no coverage key equals a variant key.
 *
 * @example
 * coverageBucket("checkout_v2", "user:1"); // 1085
 */
export function coverageBucket(experiment: string, actor: string): number {
  const prefix = coveragePrefixes.get(experiment) ?? rememberPrefix(coveragePrefixes, experiment, COVERAGE_SEPARATOR);
  const hi = feed(actor, prefix.hi, prefix.lo);
  return mixAndReduce(hi, steppedLo);
}

/**
 * The layer bucket of `actor` in `layer`, in `[0, 10 000)`:
 * `bucketV2("<layer>/layer:<actor>")`. The same for every experiment of the layer, so
 * experiments on disjoint ranges of it never share an actor; independent of any
 * experiment's variant and coverage buckets (other keys).
 *
 * @example
 * layerBucket("checkout", "user:1"); // a number in [0, 10000)
 */
export function layerBucket(layer: string, actor: string): number {
  const prefix = layerPrefixes.get(layer) ?? rememberPrefix(layerPrefixes, layer, LAYER_SEPARATOR);
  const hi = feed(actor, prefix.hi, prefix.lo);
  return mixAndReduce(hi, steppedLo);
}

/**
 * The holdout bucket of `actor` in `holdout`, in `[0, 10 000)`:
 * `bucketV2("<holdout>/holdout:<actor>")`. Below the holdout's coverage, the actor is
 * held out of every member experiment; independent of every other bucket (other keys).
 */
export function holdoutBucket(holdout: string, actor: string): number {
  const prefix = holdoutPrefixes.get(holdout) ?? rememberPrefix(holdoutPrefixes, holdout, HOLDOUT_SEPARATOR);
  const hi = feed(actor, prefix.hi, prefix.lo);
  return mixAndReduce(hi, steppedLo);
}

/**
 * Hashes `experiment + separator` from the offset basis and memoises the resulting
 * state in `memo`, by experiment (each memo holds one separator only).
 */
function rememberPrefix(memo: Map<string, HashState>, experiment: string, separator: string): HashState {
  const afterName = feed(experiment, OFFSET_HI, OFFSET_LO);
  const hi = feed(separator, afterName, steppedLo);
  const prefix = { hi, lo: steppedLo };
  if (memo.size >= PREFIX_MEMO_LIMIT) memo.clear();
  memo.set(experiment, prefix);
  return prefix;
}

/**
 * MurmurHash3's `fmix64` of the hash `(hi, lo)`, then `reduce`:
 * `h ^= h >> 33; h *= MIX1; h ^= h >> 33; h *= MIX2; h ^= h >> 33` mod 2^64.
 * On halves, `h >> 33` is `hi >>> 1` in the low half and zero in the high half, so each
 * xor-shift only touches `lo`.
 */
function mixAndReduce(hi: number, lo: number): number {
  lo ^= hi >>> 1;
  hi = multiply(hi, lo, MIX1_HI, MIX1_LO);
  lo = steppedLo;
  lo ^= hi >>> 1;
  hi = multiply(hi, lo, MIX2_HI, MIX2_LO);
  lo = steppedLo ^ (hi >>> 1);
  return reduce(hi, lo);
}

/**
 * `(hi, lo) * (mHi, mLo) mod 2^64` on 32-bit halves: returns the high half and leaves
 * the low half in `steppedLo`. The high half is `lo * mHi + hi * mLo` (mod 2^32, so
 * `Math.imul`) plus `carry`, the upper 32 bits of the exact product `lo * mLo` of the
 * unsigned halves, from 16-bit limbs (Hacker's Delight's `mulhu`). Every partial sum
 * `t`, `u` and `carry` is below 2^32, so keeping it as an int32 (`| 0`, `Math.imul`)
 * loses no bit that `>>>` and `&` read back, and nothing leaves int32 arithmetic.
 */
function multiply(hi: number, lo: number, mHi: number, mLo: number): number {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const b0 = mLo & 0xffff;
  const b1 = mLo >>> 16;
  const t = (Math.imul(a1, b0) + (Math.imul(a0, b0) >>> 16)) | 0;
  const u = (Math.imul(a0, b1) + (t & 0xffff)) | 0;
  const carry = Math.imul(a1, b1) + (t >>> 16) + (u >>> 16);
  steppedLo = Math.imul(lo, mLo);
  return (Math.imul(lo, mHi) + Math.imul(hi, mLo) + carry) | 0;
}

/**
 * The hash `hi * 2^32 + lo` (halves read unsigned) mod 10 000, within exact double
 * range (7 296 is 2^32 mod 10 000).
 *
 * The divisors are literals on purpose: bundlers (esbuild, so wrangler too) emit
 * top-level `const` as `var`, and V8 only turns `%` into a multiplication when it can
 * see a constant divisor. Written as `% BUCKETS`, each `%` became a hardware division:
 * 86-100 ns per bucket instead of 63-76 at the time (BENCHMARKS.md).
 */
function reduce(hi: number, lo: number): number {
  return (((hi >>> 0) % 10_000) * 7_296 + ((lo >>> 0) % 10_000)) % 10_000;
}

/**
 * Continues the hash `(hi, lo)` over the UTF-8 bytes of `text`: tight ASCII loops on
 * locals, then the general path for the rest. Returns the high half; the low half is
 * left in `steppedLo`.
 */
function feed(text: string, hi: number, lo: number): number {
  const length = text.length;
  let i = 0;
  // Four characters per iteration. V8 re-dispatches on the string's representation in
  // every charCodeAt, which costs more than the FNV step; four reads per check and
  // branch let them overlap with the multiplications (a few ns per key faster than
  // one at a time, BENCHMARKS.md).
  for (; i + 3 < length; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    if ((a | b | c | d) >= 0x80) break;
    hi = step(hi, lo, a);
    lo = steppedLo;
    hi = step(hi, lo, b);
    lo = steppedLo;
    hi = step(hi, lo, c);
    lo = steppedLo;
    hi = step(hi, lo, d);
    lo = steppedLo;
  }
  // At most three characters are left (more only before a non-ASCII one): two, then
  // one, without a loop, whose exit branch mispredicts as actor lengths vary
  // (measured 3-4 ns per key faster than a loop).
  if (i + 1 < length) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    if ((a | b) < 0x80) {
      hi = step(hi, lo, a);
      lo = steppedLo;
      hi = step(hi, lo, b);
      lo = steppedLo;
      i += 2;
    }
  }
  if (i < length) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      hi = step(hi, lo, code);
      lo = steppedLo;
      i++;
    }
  }
  if (i < length) return feedNonAscii(text, i, hi, lo);
  steppedLo = lo;
  return hi;
}

/** `feed`'s general path, from `text[start]` on: any text, encoded to UTF-8 as it goes. */
function feedNonAscii(text: string, start: number, hi: number, lo: number): number {
  for (let i = start; i < text.length; i++) {
    let point = text.charCodeAt(i);
    if (point >= 0xd800 && point <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (point <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        point = 0x10000 + ((point - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        // A lone surrogate encodes as U+FFFD, as WHATWG's TextEncoder does.
        point = 0xfffd;
      }
    }
    // Mix the bytes lowest first. Only the first can be zero (U+0000): UTF-8 lead and
    // continuation bytes of longer sequences are all >= 0x80, so "none left" is 0.
    let bytes = utf8Bytes(point);
    do {
      hi = step(hi, lo, bytes & 0xff);
      lo = steppedLo;
      bytes >>>= 8;
    } while (bytes !== 0);
  }
  return hi;
}

/** The UTF-8 encoding of code point `point`, its first byte in the lowest 8 bits. */
function utf8Bytes(point: number): number {
  if (point < 0x80) return point;
  const last = 0x80 | (point & 0x3f);
  if (point < 0x800) return 0xc0 | (point >> 6) | (last << 8);
  const middle = 0x80 | ((point >> 6) & 0x3f);
  if (point < 0x10000) return 0xe0 | (point >> 12) | (middle << 8) | (last << 16);
  return 0xf0 | (point >> 18) | ((0x80 | ((point >> 12) & 0x3f)) << 8) | (middle << 16) | (last << 24);
}

/**
 * One FNV-1a step, `hash = (hash ^ byte) * (2^40 + PRIME_LOW) mod 2^64`, on 32-bit
 * halves: returns the new high half and leaves the new low half in `steppedLo`.
 * `lo * PRIME_LOW` overflows into the high half by `carry`; `lo * 2^40` lands there as
 * `lo << 8`. Small enough that V8 inlines it, so callers' halves stay in registers.
 * The high half waits only on its own multiplication and one addition: `carry` and
 * the shift are summed first, off that chain (measured faster than left to right).
 */
function step(hi: number, lo: number, byte: number): number {
  const x = lo ^ byte;
  const carry = ((x >>> 16) * PRIME_LOW + (((x & 0xffff) * PRIME_LOW) >>> 16)) >>> 16;
  steppedLo = Math.imul(x, PRIME_LOW);
  return (Math.imul(hi, PRIME_LOW) + (carry + (x << 8))) | 0;
}
