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
 * kept as four 16-bit limbs in plain numbers, so every product stays below 2^53 and
 * the loop neither allocates nor leaves small-integer arithmetic. Strings are encoded
 * to UTF-8 inline (no TextEncoder, no buffer), with ASCII handled first.
 */

/** Number of buckets: `experimentBucket` returns values in `[0, BUCKETS)`. */
export const BUCKETS = 10_000;

// FNV-1a 64 offset basis 0xcbf29ce484222325, as 16-bit limbs (least significant first).
const OFFSET_0 = 0x2325;
const OFFSET_1 = 0x8422;
const OFFSET_2 = 0x9ce4;
const OFFSET_3 = 0xcbf2;
// FNV-1a 64 prime is 2^40 + 0x1b3: multiply by 0x1b3 limb-wise, then add the value
// shifted left by 40 bits (limb i moves to limb i + 2, shifted 8 more bits).
const PRIME_LOW = 0x1b3;
// 2^32 mod 10 000, to reduce `hi * 2^32 + lo` without leaving exact double range.
const TWO_POW_32_MOD_BUCKETS = 7296;

/**
 * The assignment bucket of `actor` in `experiment`, in `[0, 10 000)`.
 *
 * @example
 * experimentBucket("checkout_v2", "user:1"); // 4830
 */
export function experimentBucket(experiment: string, actor: string): number {
  const state: Limbs = [OFFSET_0, OFFSET_1, OFFSET_2, OFFSET_3];
  hashString(state, experiment);
  mix(state, 0x3a); // ':'
  hashString(state, actor);
  const hi = state[3] * 0x10000 + state[2];
  const lo = state[1] * 0x10000 + state[0];
  return ((hi % BUCKETS) * TWO_POW_32_MOD_BUCKETS + (lo % BUCKETS)) % BUCKETS;
}

type Limbs = [number, number, number, number];

/** One FNV-1a round: xor the byte in, multiply by the prime mod 2^64. */
function mix(s: Limbs, byte: number): void {
  const v0 = s[0] ^ byte;
  const t0 = v0 * PRIME_LOW;
  let t1 = s[1] * PRIME_LOW;
  let t2 = s[2] * PRIME_LOW + (v0 << 8);
  const t3 = s[3] * PRIME_LOW + (s[1] << 8);
  t1 += t0 >>> 16;
  t2 += t1 >>> 16;
  s[0] = t0 & 0xffff;
  s[1] = t1 & 0xffff;
  s[2] = t2 & 0xffff;
  s[3] = (t3 + (t2 >>> 16)) & 0xffff;
}

/** Feeds the WHATWG UTF-8 encoding of `text` (lone surrogates become U+FFFD). */
function hashString(s: Limbs, text: string): void {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      mix(s, code);
      continue;
    }
    if (code < 0x800) {
      mix(s, 0xc0 | (code >> 6));
      mix(s, 0x80 | (code & 0x3f));
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        mix(s, 0xf0 | (code >> 18));
        mix(s, 0x80 | ((code >> 12) & 0x3f));
        mix(s, 0x80 | ((code >> 6) & 0x3f));
        mix(s, 0x80 | (code & 0x3f));
        continue;
      }
      code = 0xfffd;
    }
    mix(s, 0xe0 | (code >> 12));
    mix(s, 0x80 | ((code >> 6) & 0x3f));
    mix(s, 0x80 | (code & 0x3f));
  }
}
