/**
 * Deterministic bucketing: FNV-1a 64 over the UTF-8 bytes of `"<experiment>:<actor>"`,
 * reduced mod 10 000. Bit-exact with the reference `experiment_bucket`.
 *
 * THIS FUNCTION MUST NOT CHANGE: a different bucket silently re-buckets every actor
 * that has no sticky assignment yet, corrupting running experiments. The golden file
 * `test/fixtures/buckets.json` (written by `scripts/generate-golden.mjs` from an
 * independent BigInt implementation) guards it.
 *
 * Why no BigInt: BigInt multiplication allocates on every byte. The 64-bit state is
 * kept as two int32 halves in locals, and the multiplication by the FNV prime
 * (2^40 + 0x1b3) is done with `Math.imul` plus an exact carry, so the loop neither
 * allocates nor leaves int32 arithmetic. Strings are encoded to UTF-8 inline (no
 * TextEncoder): a tight loop for ASCII, a general one from the first other character.
 */

/** Number of buckets: `experimentBucket` returns values in `[0, BUCKETS)`. */
export const BUCKETS = 10_000;

// FNV-1a 64 offset basis 0xcbf29ce484222325, as high and low 32-bit halves.
const OFFSET_HI = 0xcbf29ce4 | 0;
const OFFSET_LO = 0x84222325 | 0;
// The FNV-1a 64 prime is 2^40 + PRIME_LOW.
const PRIME_LOW = 0x1b3;
// 2^32 mod 10 000, to reduce `hi * 2^32 + lo` without leaving exact double range.
const TWO_POW_32_MOD_BUCKETS = 7296;

/**
 * The running hash, as two int32 halves. Module state rather than a return value so
 * that nothing is allocated per call; every function below runs to completion
 * synchronously, so no two hashes can interleave.
 */
const state = { hi: 0, lo: 0 };

/**
 * The assignment bucket of `actor` in `experiment`, in `[0, 10 000)`.
 *
 * @example
 * experimentBucket("checkout_v2", "user:1"); // 4830
 */
export function experimentBucket(experiment: string, actor: string): number {
  state.hi = OFFSET_HI;
  state.lo = OFFSET_LO;
  // The key is `experiment + ":" + actor`, fed in parts to avoid building it.
  feed(experiment);
  feed(":");
  feed(actor);
  return reduce();
}

/**
 * `experimentBucket` with the experiment fixed: hashes `"<experiment>:"` once, so each
 * call only hashes the actor (for callers bucketing many actors of one experiment).
 *
 * @example
 * const bucketOf = experimentBucketer("checkout_v2");
 * bucketOf("user:1"); // 4830, like experimentBucket("checkout_v2", "user:1")
 */
export function experimentBucketer(experiment: string): (actor: string) => number {
  state.hi = OFFSET_HI;
  state.lo = OFFSET_LO;
  feed(experiment);
  feed(":");
  const { hi, lo } = state;
  return (actor) => {
    state.hi = hi;
    state.lo = lo;
    feed(actor);
    return reduce();
  };
}

/** `hi * 2^32 + lo` (both unsigned) mod 10 000, without leaving exact double range. */
function reduce(): number {
  const hi = state.hi >>> 0;
  const lo = state.lo >>> 0;
  return ((hi % BUCKETS) * TWO_POW_32_MOD_BUCKETS + (lo % BUCKETS)) % BUCKETS;
}

/** Feeds the UTF-8 bytes of `text` into `state`: a tight ASCII loop, then the rest. */
function feed(text: string): void {
  let hi = state.hi;
  let lo = state.lo;
  const length = text.length;
  let i = 0;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) break;
    // hash = (hash ^ byte) * (2^40 + PRIME_LOW) mod 2^64, on 32-bit halves:
    // lo * PRIME_LOW overflows into hi by `carry`; lo * 2^40 lands in hi as lo << 8.
    lo ^= code;
    const carry = ((lo >>> 16) * PRIME_LOW + (((lo & 0xffff) * PRIME_LOW) >>> 16)) >>> 16;
    hi = (Math.imul(hi, PRIME_LOW) + carry + (lo << 8)) | 0;
    lo = Math.imul(lo, PRIME_LOW);
  }
  state.hi = hi;
  state.lo = lo;
  if (i < length) feedNonAscii(text, i);
}

/** The general path from `text[start]` on: encodes each character to UTF-8 and mixes it. */
function feedNonAscii(text: string, start: number): void {
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) mixByte(code);
    else if (code < 0x800) {
      mixByte(0xc0 | (code >> 6));
      mixByte(0x80 | (code & 0x3f));
    } else {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const point = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        mixByte(0xf0 | (point >> 18));
        mixByte(0x80 | ((point >> 12) & 0x3f));
        mixByte(0x80 | ((point >> 6) & 0x3f));
        mixByte(0x80 | (point & 0x3f));
      } else {
        // A lone surrogate encodes as U+FFFD, as WHATWG's TextEncoder does.
        const point = code >= 0xd800 && code <= 0xdfff ? 0xfffd : code;
        mixByte(0xe0 | (point >> 12));
        mixByte(0x80 | ((point >> 6) & 0x3f));
        mixByte(0x80 | (point & 0x3f));
      }
    }
  }
}

/**
 * The same FNV-1a step as in `feed`'s ASCII loop, on `state` instead of locals: that
 * loop keeps its own inline copy because reading and writing `state` per byte was
 * measured slower (BENCHMARKS.md), and this path only serves non-ASCII text.
 */
function mixByte(byte: number): void {
  const lo = state.lo ^ byte;
  const carry = ((lo >>> 16) * PRIME_LOW + (((lo & 0xffff) * PRIME_LOW) >>> 16)) >>> 16;
  state.hi = (Math.imul(state.hi, PRIME_LOW) + carry + (lo << 8)) | 0;
  state.lo = Math.imul(lo, PRIME_LOW);
}
