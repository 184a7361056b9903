import * as v from "valibot";
import type { AssignmentEvents } from "../../core";

/**
 * The messages of the events queue: one per exposure or enrolment, with the config
 * revision it happened under, so that the counts can be held against the weights in
 * force then. The consumer parses every body with this schema: a message it cannot
 * read is logged and dropped rather than retried forever.
 */
/** Seconds since the epoch, up to the year 9999: what `utcDay` can turn into a date. */
const Timestamp = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(253_402_300_799));

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
]);

export type EventMessage = v.InferOutput<typeof EventMessage>;

/** A request's events as queue messages; `revisionOf` gives an exposure's config revision. */
export function eventMessages(events: AssignmentEvents, revisionOf: (experiment: string) => number): EventMessage[] {
  return [
    ...events.exposures.map((e) => ({ kind: "exposure" as const, ...e, revision: revisionOf(e.experiment) })),
    ...events.enrolments.map((e) => ({ kind: "enrolment" as const, ...e })),
  ];
}
