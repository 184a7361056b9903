import type { ExposureRecord } from "./types";

/**
 * The default sink: one JSON object per line on the console at info level, as the
 * reference's `tracing::info!` event, which is what `wrangler dev`, `wrangler tail` and
 * Workers Logs show. Format (the README's walk-through shows one):
 * `{"event":"experiment_exposure","experiment":…,"variant":…,"actor":…,"request_id":…,"is_override":…,"timestamp_secs":…}`
 */
export class ConsoleExposureSink {
  record(exposure: ExposureRecord): void {
    console.info(exposureLine(exposure));
  }
}

/** The console line of one exposure, with its fields in the documented order. */
export function exposureLine(e: ExposureRecord): string {
  return JSON.stringify({
    event: "experiment_exposure",
    experiment: e.experiment,
    variant: e.variant,
    actor: e.actor,
    request_id: e.request_id,
    is_override: e.is_override,
    timestamp_secs: e.timestamp_secs,
  });
}
