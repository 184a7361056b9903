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
//   https://developers.cloudflare.com/queues/platform/pricing/ ($0.40 per million
//     operations; a message is written, read and deleted: three operations)
// Not counted here: Worker CPU time ($0.02 per million CPU-ms), Durable Object duration
// ($12.50 per million GB-s) and SQLite rows, which depend on production timings that a
// local run cannot measure.
export const PRICES = {
  workerRequestPerMillion: 0.3,
  durableObjectRequestPerMillion: 0.15,
  kvReadPerMillion: 0.5,
  // Each exposure line (written by the events consumer) is one Workers Logs event.
  logEventPerMillion: 0.6,
  queueOperationPerMillion: 0.4,
};

/** Operations one queue message costs: written, read, deleted (each per 64 KB; a message of events is smaller). */
const QUEUE_OPERATIONS_PER_MESSAGE = 3;
/**
 * Events one queue message carries under load: an isolate sends a message per 100
 * events or per `EVENTS_FLUSH_MS` window, whichever comes first, and at the rates where
 * cost matters the 100 come first.
 */
const EVENTS_PER_MESSAGE = 100;

/**
 * Cost in USD of one million requests that each make the given average calls and emit
 * the given average number of exposures: each is a log line (unless `logged` is false:
 * `EXPOSURE_LOG=off`) and a hundredth of an events-queue message. (Enrolments, one
 * event per first visit, are not visible in a response and are left out;
 * docs/SCALING.md prices them.)
 */
export function costPerMillion({ actor, registry, kv, exposures, logged = true }) {
  return (
    PRICES.workerRequestPerMillion +
    (actor + registry) * PRICES.durableObjectRequestPerMillion +
    kv * PRICES.kvReadPerMillion +
    exposures *
      ((logged ? PRICES.logEventPerMillion : 0) +
        (QUEUE_OPERATIONS_PER_MESSAGE * PRICES.queueOperationPerMillion) / EVENTS_PER_MESSAGE)
  );
}
