// `npm run validity`: how evenly and how independently the two hash versions bucket
// actors, on sequential ids (`user:1, user:2, …`) and on random UUIDs (seeded, so every
// run measures the same ones). Prints a markdown table; docs/VALIDITY.md explains it.
//
//   version 1: experimentBucket, FNV-1a 64 mod 10 000 (today's assignments)
//   version 2: experimentBucketV2, fmix64(FNV-1a 64) mod 10 000
//
// `--peeking [--json]` runs the statistics engine's peeking audit instead (A/A false-positive
// rates of the fixed and sequential tests under repeated looks; docs/STATISTICS.md).
import os from "node:os";
import { buildCore } from "./lib/bundle.mjs";
import { peekingAudit, peekingTable } from "./lib/peeking.mjs";
import { mulberry32 } from "./lib/prng.mjs";

const core = await import(await buildCore(".bench/validity-core.mjs"));
const machine = `${os.cpus()[0]?.model ?? "unknown cpu"}, ${os.cpus().length} cores, Node ${process.version}`;

if (process.argv.includes("--peeking")) {
  const audit = peekingAudit(core);
  if (process.argv.includes("--json")) console.log(JSON.stringify(audit.report));
  else {
    // Then the guardrails' case: a look after every batch, 100 of them.
    const everyBatch = peekingAudit(core, { simulations: 5_000, looks: 100 });
    console.log(`machine: ${machine}; ${(audit.seconds + everyBatch.seconds).toFixed(1)} s\n`);
    console.log(`${peekingTable(audit)}\n\n${peekingTable(everyBatch)}`);
  }
  // The hash report below is a different audit: not run with --peeking.
  process.exit(0);
}
if (typeof core.experimentBucketV2 !== "function") {
  throw new Error("src/core/index.ts does not export experimentBucketV2 from ./hash");
}
const versions = { "version 1": core.experimentBucket, "version 2": core.experimentBucketV2 };

const UNIFORMITY_ACTORS = 100_000;
const SHARE_ACTORS = 1_000_000;
const UNIFORMITY_EXPERIMENTS = ["checkout_v2", "onboarding_v3", "pricing_page"];
const PAIRS = [
  ["exp_a", "exp_b"],
  ["checkout_v2", "pricing_page"],
];
const SHARE_EXPERIMENT = "onboarding_v3";
const HALF = 5_000;

/** `count` version-4 UUIDs (lower-case, with dashes) from a generator seeded with `seed`. */
function uuids(seed, count) {
  const next = mulberry32(seed);
  const hex = (word) => word.toString(16).padStart(8, "0");
  return Array.from({ length: count }, () => {
    const a = hex(next());
    const b = hex(((next() & 0xffff0fff) | 0x00004000) >>> 0); // version 4
    const c = hex(((next() & 0x3fffffff) | 0x80000000) >>> 0); // variant 10xx
    const d = hex(next());
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  });
}

const actorSets = {
  sequential: Array.from({ length: SHARE_ACTORS }, (_, i) => `user:${i + 1}`),
  "random UUIDs": uuids(20261126, SHARE_ACTORS),
};

/** Pearson's chi-square of the buckets over 100 equal bins against uniform. */
function uniformity(bucket, experiment, actors) {
  const counts = new Array(100).fill(0);
  for (let i = 0; i < UNIFORMITY_ACTORS; i++) counts[Math.floor(bucket(experiment, actors[i]) / 100)]++;
  const expected = UNIFORMITY_ACTORS / 100;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

/** Pearson's chi-square (no continuity correction) of independence of two 50/50 splits. */
function independence(bucket, first, second, actors) {
  let [a, b, c, d] = [0, 0, 0, 0];
  for (let i = 0; i < UNIFORMITY_ACTORS; i++) {
    const x = bucket(first, actors[i]) < HALF;
    const y = bucket(second, actors[i]) < HALF;
    if (x && y) a++;
    else if (x) b++;
    else if (y) c++;
    else d++;
  }
  return (UNIFORMITY_ACTORS * (a * d - b * c) ** 2) / ((a + b) * (c + d) * (a + c) * (b + d));
}

/** The share of actors in buckets below 5 000, and its z-score against exactly one half. */
function share(bucket, experiment, actors) {
  let below = 0;
  for (const actor of actors) if (bucket(experiment, actor) < HALF) below++;
  const n = actors.length;
  return { percent: (100 * below) / n, z: (below - n / 2) / Math.sqrt(n / 4) };
}

// The chi-square upper tail is the engine's own (src/core/srm.ts, tested to 1e-12).
const chiSquareP = core.chiSquareUpperTail;

// The critical values the tests use, checked against this p-value function.
const CRITICAL = { 99: 148.23, 1: 10.828 };
for (const [df, x] of Object.entries(CRITICAL)) {
  const p = chiSquareP(x, Number(df));
  if (Math.abs(p - 0.001) > 0.00002) throw new Error(`chi-square p(${x}, df ${df}) is ${p}, expected 0.001`);
}

const pText = (p) => (p >= 0.001 ? p.toFixed(3) : p.toExponential(1));
const chiCell = (x, df) => {
  const p = chiSquareP(x, df);
  const cell = `${x.toFixed(1)} (p ${pText(p)})`;
  return x < CRITICAL[df] ? cell : `**${cell}**`;
};

const columns = [];
for (const [version, bucket] of Object.entries(versions)) {
  for (const [kind, actors] of Object.entries(actorSets))
    columns.push({ title: `${version}, ${kind}`, bucket, actors });
}

const rows = [];
for (const experiment of UNIFORMITY_EXPERIMENTS) {
  rows.push([
    `uniformity, 100 bins, \`${experiment}\``,
    `< ${CRITICAL[99]}`,
    ...columns.map(({ bucket, actors }) => chiCell(uniformity(bucket, experiment, actors), 99)),
  ]);
}
for (const [first, second] of PAIRS) {
  rows.push([
    `independence of 50/50 splits, \`${first}\` × \`${second}\``,
    `< ${CRITICAL[1]}`,
    ...columns.map(({ bucket, actors }) => chiCell(independence(bucket, first, second, actors), 1)),
  ]);
}
rows.push([
  `50/50 share of \`${SHARE_EXPERIMENT}\`, 1,000,000 actors: % below 5000 (z)`,
  "-3.29 < z < 3.29",
  ...columns.map(({ bucket, actors }) => {
    const { percent, z } = share(bucket, SHARE_EXPERIMENT, actors);
    const cell = `${percent.toFixed(3)}% (z ${z >= 0 ? "+" : ""}${z.toFixed(2)})`;
    return Math.abs(z) < 3.29 ? cell : `**${cell}**`;
  }),
]);

console.log(`machine: ${machine}`);
console.log(
  `uniformity and independence over the first ${UNIFORMITY_ACTORS.toLocaleString("en")} actors of each set; ` +
    "statistic (p-value), bold where it reaches the p = 0.001 critical value\n",
);
console.log(`| measure | pass if | ${columns.map((c) => c.title).join(" | ")} |`);
console.log(`|---|---|${columns.map(() => "---:").join("|")}|`);
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
