import { type EventMessage, type EventPack, eventLogLine, MAX_EVENTS_PER_MESSAGE } from "./messages";
import { packEvents } from "./pack";

/** A window whose timer has not fired this long after it should have is taken for dead. */
const STALE_WINDOW_GRACE_MS = 5000;

/**
 * The isolate's events on their way to the queue: every request's events of a short
 * window (`EVENTS_FLUSH_MS`) travel together, one message for up to 100 events. The
 * request that opens a window sends it from its own `waitUntil` (no request waits on
 * another's promise: Workers cancels those when their request ends); a window whose
 * opener was cut short is sent by the first request 5 s after it should have closed.
 * What an isolate loses if it dies within a window: README, "What can go uncounted".
 */
export class EventBuffer {
  private events: EventMessage[] = [];
  /** The open window: its request is waiting for its timer. */
  private window: { openedAt: number } | null = null;

  /**
   * Adds `events` to the buffer.
   * @returns what this request must keep alive with `waitUntil`: the send it took on
   * (the buffer reached 100 events, or it opened the window), or nothing to wait for.
   */
  add(events: readonly EventMessage[], queue: Queue<EventPack>, windowMs: number): Promise<void> {
    this.events.push(...events);
    if (this.events.length >= MAX_EVENTS_PER_MESSAGE) return this.sendAll(queue);
    const now = Date.now();
    if (this.window !== null && now - this.window.openedAt <= windowMs + STALE_WINDOW_GRACE_MS) {
      return Promise.resolve();
    }
    const window = { openedAt: now };
    this.window = window;
    return new Promise<void>((resolve) => setTimeout(resolve, windowMs)).then(() => {
      if (this.window === window) this.window = null;
      return this.sendAll(queue);
    });
  }

  private sendAll(queue: Queue<EventPack>): Promise<void> {
    const events = this.events;
    this.events = [];
    return sendEvents(queue, events);
  }
}

/**
 * Sends events as packed messages; if the queue refuses a `sendBatch`, its events are
 * written to the log as JSON lines instead, so that none is lost silently.
 */
async function sendEvents(queue: Queue<EventPack>, events: readonly EventMessage[]): Promise<void> {
  for (const messages of packEvents(events)) {
    try {
      await queue.sendBatch(messages.map((body) => ({ body, contentType: "json" as const })));
    } catch (error) {
      console.error("events queue refused a batch; the events follow as log lines", error);
      for (const { events: packed } of messages) {
        for (const event of packed) console.log(eventLogLine("experiment_event_unsent", event));
      }
    }
  }
}
