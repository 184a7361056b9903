import * as v from "valibot";
import { exposureLine, utcDay } from "../../core";
import type { Env } from "../env";
import { statsOf } from "../objects/stats/client";
import { EventMessage } from "./messages";

/**
 * The events queue's consumer: counts a batch into each experiment's stats object, one
 * RPC per experiment per batch, and writes each exposure's log line (unless
 * `EXPOSURE_LOG=off`). A message is acknowledged only once its experiment's counts are
 * stored; if that fails, the experiment's messages are retried, the others are not.
 *
 * Delivery is at least once, counting is not: the stats object remembers each counted
 * message's id (for a week), so a message delivered again, after an acknowledgement
 * was lost or a reply to a stored count was, is not counted again. A message retried
 * past `max_retries` (wrangler.toml) goes to the dead-letter queue, not lost silently.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const byExperiment = new Map<string, { messages: Message<unknown>[]; events: EventMessage[] }>();
  // A message's place in `messages` is its event's in `events`.
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
      const counted = events.map((event, i) => ({
        id: (messages[i] as Message<unknown>).id,
        kind: event.kind,
        day: utcDay(event.timestamp_secs),
        revision: event.revision,
        variant: event.variant,
      }));
      try {
        await statsOf(env.STATS, experiment).add(counted);
      } catch (error) {
        console.error(`events queue: counting ${experiment} failed; its messages will be retried`, error);
        // Backing off, so that an object that is resetting or overloaded has time to recover.
        for (const message of messages) message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
        return;
      }
      if (logExposures) for (const event of events) if (event.kind === "exposure") console.log(exposureLine(event));
      for (const message of messages) message.ack();
    }),
  );
}
