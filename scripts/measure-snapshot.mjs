// `node scripts/measure-snapshot.mjs`: how big the KV config snapshot gets and how long
// an isolate takes to parse and index it, for the scale model in docs/SCALING.md.
import { performance } from "node:perf_hooks";
import { buildCore } from "./build-core.mjs";

const { experimentConfig } = await import(await buildCore());

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

const KV_VALUE_LIMIT = 25 * 1024 * 1024;
for (const [label, make] of [
  ["typical (2 variants, short description)", typical],
  ["largest allowed (100 variants, 1 KiB description)", largest],
]) {
  const one = JSON.stringify(make(0)).length;
  console.log(`${label}: ${one} bytes per config; ${Math.floor(KV_VALUE_LIMIT / (one + 1))} fit in 25 MiB`);
}

for (const count of [100, 1_000, 10_000]) {
  const text = JSON.stringify({ version: 1, experiments: Array.from({ length: count }, (_, i) => typical(i)) });
  const times = [];
  for (let run = 0; run < 20; run++) {
    const start = performance.now();
    const parsed = JSON.parse(text);
    const byName = new Map(parsed.experiments.map((c) => [c.name, c]));
    if (byName.size !== count) throw new Error("lost configs");
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${count} typical experiments: ${(text.length / 1024).toFixed(0)} KiB, parse + index median ${times[10].toFixed(2)} ms`,
  );
}
