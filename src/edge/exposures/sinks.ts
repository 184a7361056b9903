import { ConsoleExposureSink, type ExposureRecord, type ExposureSink } from "../../core";
import type { Env } from "../env";

/** Cloudflare Queues accepts at most 100 messages in one `sendBatch`. */
const QUEUE_BATCH_LIMIT = 100;

/**
 * Exposures to a Cloudflare Queue, for pipelines that must not depend on log
 * retention or sampling: one `sendBatch` per assignment request (a batch of up to 100
 * experiments fits in one), each message one exposure as JSON. Configure it by binding
 * a queue producer as `EXPOSURE_QUEUE`.
 */
export class QueueExposureSink implements ExposureSink {
  constructor(private readonly queue: Queue<ExposureRecord>) {}

  async record(exposure: ExposureRecord): Promise<void> {
    await this.queue.send(exposure, { contentType: "json" });
  }

  async recordBatch(exposures: ExposureRecord[]): Promise<void> {
    for (let i = 0; i < exposures.length; i += QUEUE_BATCH_LIMIT) {
      const chunk = exposures.slice(i, i + QUEUE_BATCH_LIMIT);
      await this.queue.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
    }
  }
}

/**
 * The sink a request's exposures go to: the one the app was built with, else the
 * `EXPOSURE_QUEUE` binding when it is configured, else the console JSON line.
 */
export function exposureSinkFor(env: Env, configured: ExposureSink | undefined): ExposureSink {
  if (configured !== undefined) return configured;
  if (env.EXPOSURE_QUEUE !== undefined) return new QueueExposureSink(env.EXPOSURE_QUEUE);
  return CONSOLE;
}

const CONSOLE = new ConsoleExposureSink();
