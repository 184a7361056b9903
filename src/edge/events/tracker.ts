import { nowSecs } from "../../core";
import type { Env } from "../env";
import { settingsOf } from "../settings";
import type { EventBuffer } from "./buffer";
import { eventLogLine, type TrackMessage } from "./messages";

/** One event as a caller tracks it (`POST /v1/track`, RPC `track`), already validated. */
export interface TrackInput {
  event: string;
  value?: number;
  id?: string;
  timestamp_secs?: number;
}

/**
 * Tracked events on their way to the queue: through the isolate's `EventBuffer`, the
 * same window and messages as exposures, so tracking costs the request no Durable
 * Object call and no queue write of its own. The consumer attributes them.
 */
export class EventTracker {
  constructor(private readonly buffer: EventBuffer) {}

  /**
   * Queues `actor`'s events (value 1 and the time now where the caller gave none); the
   * send is kept alive with `ctx.waitUntil`. Without an `EVENTS` queue nothing can count
   * them: they are written to the log as JSON lines instead.
   * @returns how many were accepted
   */
  track(env: Env, ctx: ExecutionContext, actor: string, events: readonly TrackInput[]): number {
    const now = nowSecs();
    const messages: TrackMessage[] = events.map((event) => ({
      kind: "track",
      actor,
      event: event.event,
      value: event.value ?? 1,
      id: event.id ?? null,
      timestamp_secs: event.timestamp_secs ?? now,
    }));
    if (env.EVENTS === undefined) {
      for (const message of messages) console.log(eventLogLine("experiment_event_unqueued", message));
    } else {
      ctx.waitUntil(this.buffer.add(messages, env.EVENTS, settingsOf(env).eventsFlushMs));
    }
    return messages.length;
  }
}
