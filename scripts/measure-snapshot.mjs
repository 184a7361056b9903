// `node scripts/measure-snapshot.mjs`: how big the KV config snapshot gets, and what an
// isolate pays to load it, for the scale model in docs/SCALING.md. It times the Worker's
// own code, src/edge/config/snapshot.ts bundled here with esbuild: a cache fill is
// `parseSnapshot` (JSON.parse, then the schema check) and `new CompiledSnapshot(...)`,
// as in src/edge/config/cache.ts; a request then calls `get` and `siblings` on it.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { buildCore, bundleForNode } from "./lib/bundle.mjs";

const { experimentConfig } = await import(await buildCore(".bench/measure-snapshot-core.mjs"));
const { CompiledSnapshot, parseSnapshot } = await import(
  // The Worker's own snapshot code, with the schema library it validates with.
  await bundleForNode("src/edge/config/snapshot.ts", ".bench/measure-snapshot-edge.mjs")
);

const typical = (i) => ({
  ...experimentConfig(
    `experiment_${i}_checkout`,
    [
      { name: "control", weight: 50 },
      { name: "treatment", weight: 50 },
    ],
    { description: "A typical experiment: two variants and a sentence of description.", exclusion_group: "checkout" },
  ),
  state: "running",
  updated_at_secs: 1_795_644_443,
});
const largest = (i) => ({
  ...typical(i),
  name: `e${i}_${"x".repeat(120)}`,
  description: "d".repeat(1024),
  exclusion_group: "g".repeat(128),
  variants: Array.from({ length: 100 }, (_, v) => ({ name: `${v}_${"v".repeat(60)}`, weight: 4_294_967_295 })),
});

/** The median and the fastest of `runs` timings of `fn`, in ms, after a few untimed runs to warm it up. */
function time(runs, fn) {
  for (let run = 0; run < 5; run++) fn();
  const times = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)], min: times[0] };
}
const ms = ({ median, min }) => `${median.toFixed(2)} ms (fastest ${min.toFixed(2)})`;

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} CPUs\n`);

const KV_VALUE_LIMIT = 25 * 1024 * 1024;
for (const [label, make] of [
  ["typical (2 variants, short description)", typical],
  ["largest allowed (100 variants, 1 KiB description)", largest],
]) {
  const one = JSON.stringify(make(0)).length;
  console.log(`${label}: ${one} bytes per config; ${Math.floor(KV_VALUE_LIMIT / (one + 1))} fit in 25 MiB`);
}
console.log();

const RUNS = 31;
for (const count of [100, 1_000, 10_000]) {
  const text = JSON.stringify({ version: 1, experiments: Array.from({ length: count }, (_, i) => typical(i)) });
  const parsed = parseSnapshot(text);
  if (parsed === null) throw new Error("parseSnapshot refused the measured snapshot");
  let snapshot = null;
  const fill = time(RUNS, () => {
    snapshot = new CompiledSnapshot(parseSnapshot(text));
  });
  const json = time(RUNS, () => JSON.parse(text));
  const parse = time(RUNS, () => parseSnapshot(text));
  const compile = time(RUNS, () => new CompiledSnapshot(parsed));

  // What one assignment of a grouped running experiment asks of the snapshot (every
  // typical config is in the one group "checkout", so `siblings` lists all the others).
  const name = `experiment_${count >> 1}_checkout`;
  if (snapshot.assignable.length !== count || snapshot.get(name)?.config.name !== name) {
    throw new Error("CompiledSnapshot lost configs");
  }
  if (snapshot.siblings(name, "checkout").length !== count - 1) throw new Error("CompiledSnapshot lost group members");
  const LOOKUPS = 1_000;
  const lookup = time(RUNS, () => {
    for (let i = 0; i < LOOKUPS; i++) {
      const config = snapshot.get(name);
      snapshot.siblings(name, config.exclusion_group);
    }
  });

  console.log(
    `${count} typical experiments, ${(text.length / 1024).toFixed(0)} KiB: cache fill ${ms(fill)} ` +
      `= parseSnapshot ${ms(parse)} (of which JSON.parse ${ms(json)}) + CompiledSnapshot ${ms(compile)}; ` +
      `per request get + siblings ${((lookup.median / LOOKUPS) * 1000).toFixed(2)} µs`,
  );
}
