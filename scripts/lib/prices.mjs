// Cloudflare's published prices (USD, Workers Paid plan, beyond the included amounts),
// used to turn counted calls into a cost per million assignments.
// Read on 2026-11-25 from the stored copies of:
//   https://developers.cloudflare.com/workers/platform/pricing/ (Standard usage model;
//     the same figures are quoted by /workflows/reference/pricing/)
//   https://developers.cloudflare.com/durable-objects/platform/pricing/
//   https://developers.cloudflare.com/kv/platform/pricing/
// Not counted here: Worker CPU time ($0.02 per million CPU-ms), Durable Object duration
// ($12.50 per million GB-s) and SQLite rows, which depend on production timings that a
// local run cannot measure.
export const PRICES = {
  workerRequestPerMillion: 0.3,
  durableObjectRequestPerMillion: 0.15,
  kvReadPerMillion: 0.5,
};

/** Cost in USD of one million requests that each make the given average calls. */
export function costPerMillion({ actor, registry, kv }) {
  return (
    PRICES.workerRequestPerMillion +
    (actor + registry) * PRICES.durableObjectRequestPerMillion +
    kv * PRICES.kvReadPerMillion
  );
}
