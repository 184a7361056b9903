import { type AssignmentEvents, ConsoleExposureSink, type ExposureSink } from "../../core";
import { type EventMessage, eventMessages } from "./messages";

/** Cloudflare Queues accepts at most 100 messages in one `sendBatch`. */
const QUEUE_BATCH_LIMIT = 100;

/**
 * A request's exposures and enrolments to the `EVENTS` queue, where the consumer
 * counts them and writes the exposure log lines: one `sendBatch` per request (a batch
 * of up to 100 experiments fits in one). If the queue refuses them, each event is
 * written to the log as a JSON line instead, so that nothing is lost silently.
 */
export class QueueEventSink implements ExposureSink {
  constructor(
    private readonly queue: Queue<EventMessage>,
    private readonly revisionOf: (experiment: string) => number,
  ) {}

  record(): void {
    throw new Error("QueueEventSink takes a request's events together: use recordEvents");
  }

  async recordEvents(events: AssignmentEvents): Promise<void> {
    const messages = eventMessages(events, this.revisionOf);
    for (let i = 0; i < messages.length; i += QUEUE_BATCH_LIMIT) {
      const chunk = messages.slice(i, i + QUEUE_BATCH_LIMIT);
      try {
        await this.queue.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
      } catch (error) {
        console.error("events queue refused a batch; the events follow as log lines", error);
        for (const message of chunk) console.log(JSON.stringify({ event: "experiment_event_unsent", ...message }));
      }
    }
  }
}

/** Where events go without a queue: exposures as the console line, enrolments not counted. */
export const CONSOLE_SINK: ExposureSink = new ConsoleExposureSink();
