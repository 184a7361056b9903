import * as v from "valibot";
import type { AssignmentEvents } from "../../core";
import type { WebhookDelivery } from "../objects/registry/rows";

/** Seconds since the epoch, up to the year 9999: what `utcDay` can turn into a date. */
const Timestamp = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(253_402_300_799));

/**
 * One exposure or enrolment, with the config revision it happened under, so that the
 * counts can be held against the weights in force then; or one tracked event
 * (`POST /v1/track`), which the consumer attributes through its actor's object.
 */
export const EventMessage = v.variant("kind", [
  v.object({
    kind: v.literal("exposure"),
    experiment: v.string(),
    variant: v.string(),
    actor: v.string(),
    request_id: v.nullable(v.string()),
    is_override: v.boolean(),
    revision: v.number(),
    timestamp_secs: Timestamp,
  }),
  v.object({
    kind: v.literal("enrolment"),
    experiment: v.string(),
    variant: v.string(),
    actor: v.string(),
    revision: v.number(),
    timestamp_secs: Timestamp,
  }),
  v.object({
    kind: v.literal("track"),
    actor: v.string(),
    event: v.string(),
    value: v.pipe(v.number(), v.finite()),
    id: v.nullable(v.string()),
    timestamp_secs: Timestamp,
  }),
]);

export type EventMessage = v.InferOutput<typeof EventMessage>;
export type TrackMessage = Extract<EventMessage, { kind: "track" }>;

/** A webhook delivery on its way to its receiver (`src/edge/events/webhooks.ts`); its secret stays in the registry. */
export interface WebhookMessage {
  webhook: WebhookDelivery;
}

/** What the events queue carries: events, or a webhook delivery. */
export type QueueBody = EventPack | WebhookMessage;

/** At most this many events travel in one queue message (see `packEvents`). */
export const MAX_EVENTS_PER_MESSAGE = 100;

/**
 * A queue message: the events of one isolate's flush (`EventBuffer`), up to 100, from
 * any number of requests and experiments. A message per flush rather than per event
 * keeps a busy isolate far under a queue's messages per second, costs one queue write
 * instead of up to a hundred, and lets the consumer count a message once by its id.
 */
export interface EventPack {
  events: EventMessage[];
}

/**
 * A message's events, each still to be parsed: a pack's, or the one event of a message
 * sent by a version before packing (such messages may still wait in the queue, or in
 * its dead-letter queue, when this version is deployed).
 */
export function bodiesOf(body: unknown): unknown[] {
  const events = typeof body === "object" && body !== null ? (body as { events?: unknown }).events : undefined;
  return Array.isArray(events) ? events : [body];
}

/** A request's events as they travel; `revisionOf` gives an exposure's config revision. */
export function eventMessages(events: AssignmentEvents, revisionOf: (experiment: string) => number): EventMessage[] {
  return [
    ...events.exposures.map((e) => ({ kind: "exposure" as const, ...e, revision: revisionOf(e.experiment) })),
    ...events.enrolments.map((e) => ({ kind: "enrolment" as const, ...e })),
  ];
}

/**
 * An event as a JSON log line, for when it cannot be queued: `event` names the line, as
 * the exposure line's does; a tracked event's own name goes in `tracked`.
 */
export function eventLogLine(line: string, message: EventMessage): string {
  if (message.kind !== "track") return JSON.stringify({ event: line, ...message });
  const { event: tracked, ...rest } = message;
  return JSON.stringify({ event: line, ...rest, tracked });
}
