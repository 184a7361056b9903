import type { ExposureSink } from "./store";
import type { ExposureRecord } from "./types";

/**
 * The default sink: one JSON object per line on the console at info level, as the
 * reference's `tracing::info!` event, which is what `wrangler dev`, `wrangler tail` and
 * Workers Logs show. Format (API.md):
 * `{"event":"experiment_exposure","experiment":…,"variant":…,"actor":…,"request_id":…,"is_override":…,"timestamp_secs":…}`
 */
export class ConsoleExposureSink implements ExposureSink {
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

/** Discards every exposure (benchmarks, or when exposures are handled elsewhere). */
export class NoOpExposureSink implements ExposureSink {
  record(): void {}
}

/** Keeps every exposure in memory, for tests. */
export class RecordingExposureSink implements ExposureSink {
  readonly records: ExposureRecord[] = [];
  record(exposure: ExposureRecord): void {
    this.records.push(exposure);
  }
}
