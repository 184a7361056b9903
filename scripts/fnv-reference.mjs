// Independent, deliberately plain FNV-1a 64 reference (BigInt + TextEncoder), used to
// generate the golden file and as the BigInt baseline in the benchmark. It shares no
// code with src/core/hash.ts, so the golden file checks one against the other.

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
