import * as v from "valibot";
import { type CountRow, exposureLine, sumCountRows, utcDay } from "../../core";
import type { Env } from "../env";
import { callActor } from "../objects/actor/client";
import { statsOf } from "../objects/stats/client";
import { bodiesOf, EventMessage } from "./messages";

/**
 * The events queue's consumer: counts a batch into each experiment's stats object, one
 * RPC per experiment per batch, and writes each exposure's log line at info level
 * (unless `EXPOSURE_LOG=off`). A message (up to 100 events, of any experiments) is
 * acknowledged once every experiment it holds has its counts stored; otherwise it is
 * retried, and the experiments that did store it will not count it again.
 *
 * Delivery is at least once, counting is not: each stats object remembers the ids of
 * the messages it counted (for a week), so a message delivered again, after an
 * acknowledgement was lost or after another experiment's counting failed, is not
 * counted again. Its log lines may be written again. A message retried past
 * `max_retries` (wrangler.toml) goes to the dead-letter queue, not lost silently.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const events = readBatch(batch.messages);
  // Each enrolment is claimed from its actor's outbox first: one the outbox's alarm has
  // delivered already is dropped here, so that it counts once (`Outbox`).
  const { refused, failed } = await claimEnrolments(events, env);
  // Per experiment, each message's events of that experiment.
  const byExperiment = new Map<string, Map<Message<unknown>, EventMessage[]>>();
  for (const [message, list] of events) {
    if (failed.has(message)) continue;
    for (const event of list) {
      if (refused.has(event)) continue;
      const messages = byExperiment.get(event.experiment) ?? new Map<Message<unknown>, EventMessage[]>();
      byExperiment.set(event.experiment, messages);
      messages.set(message, [...(messages.get(message) ?? []), event]);
    }
  }
  const logExposures = env.EXPOSURE_LOG !== "off";
  await Promise.all(
    [...byExperiment].map(async ([experiment, messages]) => {
      const counted = [...messages].map(([message, events]) => ({ id: message.id, rows: countRowsOf(events) }));
      try {
        await statsOf(env.STATS, experiment).add(counted);
      } catch (error) {
        console.error(`events queue: counting ${experiment} failed; its messages will be retried`, error);
        for (const message of messages.keys()) failed.add(message);
        return;
      }
      if (!logExposures) return;
      for (const events of messages.values()) {
        for (const event of events) if (event.kind === "exposure") console.info(exposureLine(event));
      }
    }),
  );
  for (const message of batch.messages) {
    // Backing off, so that an object that is resetting or overloaded has time to recover.
    if (failed.has(message)) message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    else message.ack();
  }
}

/** Each message's readable events; an unreadable one is logged and left out (retrying cannot help). */
function readBatch(messages: readonly Message<unknown>[]): Map<Message<unknown>, EventMessage[]> {
  const events = new Map<Message<unknown>, EventMessage[]>();
  for (const message of messages) {
    const list: EventMessage[] = [];
    for (const body of bodiesOf(message.body)) {
      const parsed = v.safeParse(EventMessage, body);
      if (parsed.success) list.push(parsed.output);
      else console.error("events queue: dropped an event that cannot be read", parsed.issues[0]?.message);
    }
    events.set(message, list);
  }
  return events;
}

/**
 * Claims the batch's enrolments from their actors' outboxes, one call per actor.
 * @returns the enrolment events refused (counted already, by the outbox's alarm), and
 * the messages to retry whole because an actor's object did not answer
 */
async function claimEnrolments(events: ReadonlyMap<Message<unknown>, EventMessage[]>, env: Env) {
  const byActor = new Map<string, { message: Message<unknown>; event: EventMessage }[]>();
  for (const [message, list] of events) {
    for (const event of list) {
      if (event.kind !== "enrolment") continue;
      byActor.set(event.actor, [...(byActor.get(event.actor) ?? []), { message, event }]);
    }
  }
  const refused = new Set<EventMessage>();
  const failed = new Set<Message<unknown>>();
  await Promise.all(
    [...byActor].map(async ([actor, enrolments]) => {
      const claims = enrolments.map(({ message, event }) => ({ message: message.id, experiment: event.experiment }));
      try {
        const granted = await callActor(env.ACTORS, actor, (stub) => stub.claimEnrolments(claims));
        enrolments.forEach(({ event }, i) => {
          if (!granted[i]) refused.add(event);
        });
      } catch {
        // Logged by callActor; the messages come back, and their claims are granted again.
        for (const { message } of enrolments) failed.add(message);
      }
    }),
  );
  return { refused, failed };
}

/** Events as counts per UTC day, revision and variant. */
function countRowsOf(events: readonly EventMessage[]): CountRow[] {
  return sumCountRows(
    events.map((event) => ({
      day: utcDay(event.timestamp_secs),
      revision: event.revision,
      variant: event.variant,
      enrolled: event.kind === "enrolment" ? 1 : 0,
      exposures: event.kind === "exposure" ? 1 : 0,
    })),
  );
}
