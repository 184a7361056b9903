// Cloudflare's published prices (USD, Workers Paid plan, beyond the included amounts),
// used to turn counted calls into a cost per million assignments.
// Read on 2026-11-25 from the stored copies of:
//   https://developers.cloudflare.com/workers/platform/pricing/ (Standard usage model;
//     the same figures are quoted by /workflows/reference/pricing/)
//   https://developers.cloudflare.com/durable-objects/platform/pricing/
//   https://developers.cloudflare.com/kv/platform/pricing/
//   https://developers.cloudflare.com/workers/observability/traces/ ("Limits & Pricing":
//     trace spans and log events share Workers Logs' price, 20 million included per
//     month, then $0.60 per million events)
// Not counted here: Worker CPU time ($0.02 per million CPU-ms), Durable Object duration
// ($12.50 per million GB-s) and SQLite rows, which depend on production timings that a
// local run cannot measure.
export const PRICES = {
  workerRequestPerMillion: 0.3,
  durableObjectRequestPerMillion: 0.15,
  kvReadPerMillion: 0.5,
  // Each exposure line of the default console sink is one Workers Logs event.
  logEventPerMillion: 0.6,
};

/**
 * Cost in USD of one million requests that each make the given average calls and log
 * the given average number of exposure lines.
 */
export function costPerMillion({ actor, registry, kv, exposures }) {
  return (
    PRICES.workerRequestPerMillion +
    (actor + registry) * PRICES.durableObjectRequestPerMillion +
    kv * PRICES.kvReadPerMillion +
    exposures * PRICES.logEventPerMillion
  );
}
