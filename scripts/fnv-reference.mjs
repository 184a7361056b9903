// Independent, deliberately plain FNV-1a 64 reference (BigInt + TextEncoder), plus the
// fmix64 finaliser of hash version 2, used to generate the golden files and as the
// BigInt baseline in the benchmark. It shares no code with src/core/hash.ts, so the
// golden files check one against the other.

const OFFSET = 14_695_981_039_346_656_037n;
const PRIME = 1_099_511_628_211n;
const encoder = new TextEncoder();

/** FNV-1a 64 of the WHATWG UTF-8 encoding of `text`, as a BigInt. */
export function fnv1a64BigInt(text) {
  let hash = OFFSET;
  for (const byte of encoder.encode(text)) {
    hash ^= BigInt(byte);
    hash = BigInt.asUintN(64, hash * PRIME);
  }
  return hash;
}

/** The reference `experiment_bucket`, computed with BigInt. */
export function bucketBigInt(experiment, actor) {
  return Number(fnv1a64BigInt(`${experiment}:${actor}`) % 10_000n);
}

const MASK64 = (1n << 64n) - 1n;

/** MurmurHash3's `fmix64` finaliser of the 64-bit `hash`, as a BigInt. */
export function fmix64BigInt(hash) {
  let h = hash;
  h ^= h >> 33n;
  h = (h * 0xff51afd7ed558ccdn) & MASK64;
  h ^= h >> 33n;
  h = (h * 0xc4ceb9fe1a85ec53n) & MASK64;
  h ^= h >> 33n;
  return h;
}

/** Hash version 2: `fmix64(fnv1a64(UTF-8 of key)) mod 10 000`, computed with BigInt. */
export function bucketV2BigInt(key) {
  return Number(fmix64BigInt(fnv1a64BigInt(key)) % 10_000n);
}

/** The coverage bucket of `actor` in `experiment`: `bucket_v2("<experiment>/coverage:<actor>")`. */
export function coverageBucketBigInt(experiment, actor) {
  return bucketV2BigInt(`${experiment}/coverage:${actor}`);
}
