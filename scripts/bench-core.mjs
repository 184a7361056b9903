// `npm run bench`: experimentBucket against a straightforward BigInt implementation and
// two published FNV-1a-64 packages, side by side in one run, plus hash version 2
// (experimentBucketV2: the same FNV-1a, then fmix64) on the same keys, and selectVariant.
// Each measured call hashes a whole batch of 1,024 keys; the figures are per key.
import os from "node:os";
import fnv1a from "@sindresorhus/fnv1a";
import fnvPlus from "fnv-plus";
import { do_not_optimize, measure } from "mitata";
import { bucketBigInt, bucketV2BigInt } from "./fnv-reference.mjs";
import { buildCore } from "./lib/bundle.mjs";

const { experimentBucket, experimentBucketV2, selectVariant } = await import(await buildCore());
if (typeof experimentBucketV2 !== "function") {
  throw new Error("src/core/index.ts does not export experimentBucketV2 from ./hash");
}

const BATCH = 1024;
const experiment = "checkout_v2";
// ASCII keys of 20 to 40 characters ("checkout_v2:" plus an 8-28 character actor,
// 30 on average), and non-ASCII ones. Flattened through JSON, as actors arrive from
// request parsing: a string built with `+` is a rope in V8, and reading one costs
// more per character than any hash step here.
const flat = (text) => JSON.parse(JSON.stringify(text));
const ascii = Array.from({ length: BATCH }, (_, i) => flat(`user:${String(i).padStart(3, "0")}${"x".repeat(i % 21)}`));
const nonAscii = Array.from({ length: BATCH }, (_, i) => flat(`utilisateur:é${i}ü-用户${i % 97}-🧪`));
// Ten experiments in turn, as a batch assignment hashes one actor into each.
const experiments = Array.from({ length: 10 }, (_, i) => `checkout_v${i + 2}`);
const utf8Buffer = new Uint8Array(1024);

// Each contender is a whole bucket function: hash, then reduce mod 10 000 as cheaply as
// its output allows (fnv-plus returns hex, reduced without BigInt like ours).
const TWO_POW_32_MOD = 7296;
const contenders = {
  "edge-experiments experimentBucket": experimentBucket,
  "BigInt reference (TextEncoder)": bucketBigInt,
  "@sindresorhus/fnv1a (size 64, BigInt)": (experiment, actor) =>
    Number(fnv1a(`${experiment}:${actor}`, { size: 64, utf8Buffer }) % 10_000n),
  "fnv-plus fast1a64utf (hex)": (experiment, actor) => {
    const hex = fnvPlus.fast1a64utf(`${experiment}:${actor}`);
    const hi = Number.parseInt(hex.slice(0, 8), 16);
    const lo = Number.parseInt(hex.slice(8), 16);
    return ((hi % 10_000) * TWO_POW_32_MOD + (lo % 10_000)) % 10_000;
  },
};

// Sanity: every contender agrees on the ASCII keys before anything is timed.
for (const actor of ascii.slice(0, 64)) {
  const expected = bucketBigInt(experiment, actor);
  for (const [name, fn] of Object.entries(contenders)) {
    if (fn(experiment, actor) !== expected) throw new Error(`${name} disagrees on ${actor}`);
  }
  if (experimentBucketV2(experiment, actor) !== bucketV2BigInt(`${experiment}:${actor}`)) {
    throw new Error(`experimentBucketV2 disagrees on ${actor}`);
  }
}

const oneExperiment = Array(BATCH).fill(experiment);
const tenInTurn = Array.from({ length: BATCH }, (_, i) => experiments[i % experiments.length]);

/** Median ns per key of `fn` over `keys`, the i-th key in experiment `experimentOf[i]`. */
async function perKey(fn, keys, experimentOf = oneExperiment) {
  const stats = await measure(() => {
    for (let i = 0; i < keys.length; i++) do_not_optimize(fn(experimentOf[i], keys[i]));
  });
  return stats.p50 / keys.length;
}

const rows = [];
for (const [name, fn] of Object.entries(contenders)) {
  rows.push({ name, ascii: await perKey(fn, ascii), nonAscii: await perKey(fn, nonAscii) });
}
const [ours, bigint] = rows;
rows.splice(1, 0, {
  name: "edge-experiments, 10 experiments in turn",
  ascii: await perKey(experimentBucket, ascii, tenInTurn),
  nonAscii: await perKey(experimentBucket, nonAscii, tenInTurn),
});
const v2 = {
  name: "edge-experiments experimentBucketV2",
  ascii: await perKey(experimentBucketV2, ascii),
  nonAscii: await perKey(experimentBucketV2, nonAscii),
};
rows.splice(2, 0, v2, {
  name: "edge-experiments V2, 10 experiments in turn",
  ascii: await perKey(experimentBucketV2, ascii, tenInTurn),
  nonAscii: await perKey(experimentBucketV2, nonAscii, tenInTurn),
});

const weights2 = [
  { name: "control", weight: 50 },
  { name: "treatment", weight: 50 },
];
const weights10 = Array.from({ length: 10 }, (_, i) => ({ name: `v${i}`, weight: 4_294_967_295 - i }));
const buckets = Array.from({ length: BATCH }, (_, i) => (i * 9973) % 10_000);
const select2 = await perKey((_, b) => selectVariant(weights2, b), buckets);
const select10 = await perKey((_, b) => selectVariant(weights10, b), buckets);

const ns = (x) => x.toFixed(1).padStart(8);
console.log(`\nmachine: ${os.cpus()[0]?.model ?? "unknown cpu"}, ${os.cpus().length} cores, Node ${process.version}`);
console.log(`median ns per key (batches of ${BATCH} keys)\n`);
console.log(`${"implementation".padEnd(44)} ${"ASCII".padStart(8)} ${"non-ASCII".padStart(10)}   ASCII ratio`);
for (const r of rows) {
  const ratio = r.ascii / ours.ascii;
  const label =
    r === ours ? "baseline" : ratio >= 1 ? `${ratio.toFixed(1)}x slower` : `${(1 / ratio).toFixed(2)}x faster`;
  console.log(`${r.name.padEnd(44)} ${ns(r.ascii)} ${ns(r.nonAscii).padStart(10)}   ${label}`);
}
console.log(
  `\nexperimentBucketV2 / experimentBucket: ${(v2.ascii / ours.ascii).toFixed(2)}x ASCII, ` +
    `${(v2.nonAscii / ours.nonAscii).toFixed(2)}x non-ASCII`,
);
console.log(`\nselectVariant, 2 variants:   ${ns(select2)} ns`);
console.log(`selectVariant, 10 variants:  ${ns(select10)} ns (weights near 2^32)`);
console.log(
  `\ntarget: <= 50 ns per ASCII bucket: ${ours.ascii <= 50 ? "met" : "MISSED"} (${ours.ascii.toFixed(1)} ns)`,
);
console.log(
  `target: >= 15x faster than BigInt: ${bigint.ascii / ours.ascii >= 15 ? "met" : "MISSED"} (${(bigint.ascii / ours.ascii).toFixed(1)}x)`,
);
