import { type AssignmentEvents, ConsoleExposureSink, type ExposureSink } from "../../core";
import type { EventBuffer } from "./buffer";
import { type EventPack, eventMessages } from "./messages";

/**
 * A request's exposures and enrolments to the `EVENTS` queue through the isolate's
 * `EventBuffer`, where the consumer counts them and writes the exposure log lines.
 * `recordEvents` returns what the request must keep alive with `waitUntil`.
 */
export class QueueEventSink {
  constructor(
    private readonly buffer: EventBuffer,
    private readonly queue: Queue<EventPack>,
    private readonly windowMs: number,
    private readonly revisionOf: (experiment: string) => number,
  ) {}

  recordEvents(events: AssignmentEvents): Promise<void> {
    return this.buffer.add(eventMessages(events, this.revisionOf), this.queue, this.windowMs);
  }
}

/** Where events go without a queue: exposures as the console line; enrolments reach the counts through the actors' outboxes alone. */
export const CONSOLE_SINK: ExposureSink = new ConsoleExposureSink();
