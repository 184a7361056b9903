import * as v from "valibot";
import { type CountRow, exposureLine, utcDay } from "../../core";
import type { Env } from "../env";
import { statsOf } from "../objects/stats/client";
import { EventMessage } from "./messages";

/**
 * The events queue's consumer: counts a batch into each experiment's stats object, one
 * RPC per experiment per batch, and writes each exposure's log line (unless
 * `EXPOSURE_LOG=off`). A message is acknowledged only once its experiment's counts are
 * stored; if that fails, the experiment's messages are retried, the others are not.
 *
 * Delivery is at least once: if the counts were stored but the acknowledgement was
 * lost (the consumer died in between), the batch comes again and is counted twice.
 * The over-count is bounded by the redelivered batches, at most 100 events each.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const byExperiment = new Map<string, { messages: Message<unknown>[]; events: EventMessage[] }>();
  for (const message of batch.messages) {
    const parsed = v.safeParse(EventMessage, message.body);
    if (!parsed.success) {
      // Retrying cannot make it readable: log it and let it go.
      console.error("events queue: dropped a message that is not an event", parsed.issues[0]?.message);
      message.ack();
      continue;
    }
    const group = byExperiment.get(parsed.output.experiment) ?? { messages: [], events: [] };
    group.messages.push(message);
    group.events.push(parsed.output);
    byExperiment.set(parsed.output.experiment, group);
  }
  const logExposures = env.EXPOSURE_LOG !== "off";
  await Promise.all(
    [...byExperiment].map(async ([experiment, { messages, events }]) => {
      try {
        await statsOf(env.STATS, experiment).add(countRows(events));
      } catch (error) {
        console.error(`events queue: counting ${experiment} failed; its messages will be retried`, error);
        for (const message of messages) message.retry();
        return;
      }
      if (logExposures) for (const event of events) if (event.kind === "exposure") console.log(exposureLine(event));
      for (const message of messages) message.ack();
    }),
  );
}

/** One experiment's events as counts per UTC day, revision and variant. */
export function countRows(events: readonly EventMessage[]): CountRow[] {
  const rows = new Map<string, CountRow>();
  for (const event of events) {
    const day = utcDay(event.timestamp_secs);
    const key = `${day}\u0000${event.revision}\u0000${event.variant}`;
    const row = rows.get(key) ?? { day, revision: event.revision, variant: event.variant, enrolled: 0, exposures: 0 };
    if (event.kind === "enrolment") row.enrolled++;
    else row.exposures++;
    rows.set(key, row);
  }
  return [...rows.values()];
}
