// The peeking audit behind `npm run validity -- --peeking [--json]` (docs/STATISTICS.md):
// A/A experiments, where every "significant" result is a false positive, analysed with the
// engine's own compareArms (src/core/stats/lift.ts) after every batch of actors.
//
//   fixed_once          the fixed (Welch) test, read once at the last look
//   fixed_peeking       the fixed test read at every look, stopping at the first decision
//   sequential_peeking  the sequential test read at every look, stopping at the first decision
//
// Each simulation is one experiment: a conversion metric with the same rate p in both arms,
// BATCH new actors per arm between looks, LOOKS looks. Seeded, so every run measures the
// same experiments.
import { mulberry32 } from "./prng.mjs";

export const PEEKING_DEFAULTS = {
  simulations: 20_000,
  looks: 10,
  batch: 100,
  rate: 0.1,
  alpha: 0.05,
  seed: 20261126,
};

/**
 * Runs the audit with `core` (the bundled src/core) and returns the report's numbers.
 * @param {{ compareArms: Function }} core
 * @param {Partial<typeof PEEKING_DEFAULTS>} [settings]
 */
export function peekingAudit(core, settings = {}) {
  const { simulations, looks, batch, rate, alpha, seed } = { ...PEEKING_DEFAULTS, ...settings };
  const next = mulberry32(seed);
  const threshold = rate * 2 ** 32;
  const conversions = () => {
    let count = 0;
    for (let i = 0; i < batch; i++) if (next() < threshold) count++;
    return count;
  };
  const decides = (control, treatment, method) => {
    const { decision } = core.compareArms(control, treatment, { method, alpha, direction: "increase" });
    return decision === "better" || decision === "worse";
  };

  const rejected = { fixed_once: 0, fixed_peeking: 0, sequential_peeking: 0 };
  const started = performance.now();
  for (let s = 0; s < simulations; s++) {
    let [sumC, sumT] = [0, 0];
    let [fixedAny, sequentialAny, fixedLast] = [false, false, false];
    for (let look = 1; look <= looks; look++) {
      sumC += conversions();
      sumT += conversions();
      const n = look * batch;
      // A 0/1 metric: Σx² = Σx.
      const control = { name: "control", n, sum: sumC, sum_squares: sumC };
      const treatment = { name: "treatment", n, sum: sumT, sum_squares: sumT };
      const fixed = decides(control, treatment, "fixed");
      fixedAny ||= fixed;
      if (look === looks) fixedLast = fixed;
      sequentialAny ||= decides(control, treatment, "sequential");
    }
    if (fixedLast) rejected.fixed_once++;
    if (fixedAny) rejected.fixed_peeking++;
    if (sequentialAny) rejected.sequential_peeking++;
  }
  const rates = Object.fromEntries(Object.entries(rejected).map(([key, count]) => [key, count / simulations]));
  return {
    report: { simulations, looks, alpha, false_positive_rate: rates },
    settings: { batch, rate, seed },
    seconds: (performance.now() - started) / 1000,
  };
}

/** The report as the markdown table docs/STATISTICS.md shows, with a 95% interval for each rate. */
export function peekingTable({ report, settings }) {
  const { simulations, looks, alpha, false_positive_rate: rates } = report;
  const count = (x) => x.toLocaleString("en");
  const sizes = `${count(settings.batch)}, ${count(2 * settings.batch)}, …, ${count(looks * settings.batch)}`;
  const rows = [
    ["fixed (Welch), read once at the last look", rates.fixed_once],
    ["fixed (Welch), read at every look", rates.fixed_peeking],
    ["sequential, read at every look", rates.sequential_peeking],
  ];
  const percent = (x) => `${(100 * x).toFixed(2)}%`;
  const interval = (p) => {
    const half = 1.96 * Math.sqrt((p * (1 - p)) / simulations);
    return `${percent(Math.max(0, p - half))} – ${percent(Math.min(1, p + half))}`;
  };
  return [
    `${count(simulations)} A/A experiments, conversion rate ${settings.rate} in both arms, ` +
      `${looks} looks at ${sizes} actors per arm, α = ${alpha}, seed ${settings.seed}`,
    "",
    "| analysis | false-positive rate | 95% interval |",
    "|---|---:|---:|",
    ...rows.map(([name, p]) => `| ${name} | ${percent(p)} | ${interval(p)} |`),
  ].join("\n");
}
