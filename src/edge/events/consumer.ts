import * as v from "valibot";
import { type CountRow, exposureLine, sumCountRows, utcDay } from "../../core";
import type { Env } from "../env";
import { actorObjectOf } from "../objects/actor/client";
import { statsOf } from "../objects/stats/client";
import type { Enrolment } from "../objects/stats/stats-object";
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
  // Per experiment, each message's events of that experiment.
  const byExperiment = new Map<string, Map<Message<unknown>, EventMessage[]>>();
  for (const [message, list] of readBatch(batch.messages)) {
    for (const event of list) {
      const messages = byExperiment.get(event.experiment) ?? new Map<Message<unknown>, EventMessage[]>();
      byExperiment.set(event.experiment, messages);
      const events = messages.get(message) ?? [];
      messages.set(message, events);
      events.push(event);
    }
  }
  const logExposures = env.EXPOSURE_LOG !== "off";
  const failed = new Set<Message<unknown>>();
  // The enrolments counted, by actor: their outboxes can let them go.
  const counted = new Map<string, string[]>();
  await Promise.all(
    [...byExperiment].map(async ([experiment, messages]) => {
      const exposures = [...messages].map(([message, events]) => ({
        id: message.id,
        rows: countRowsOf(events.filter((event) => event.kind === "exposure")),
      }));
      const enrolments = [...messages.values()].flat().filter((event) => event.kind === "enrolment");
      try {
        await statsOf(env.STATS, experiment).add(
          exposures,
          enrolments.map((event) => enrolmentOf(event, env)),
        );
      } catch (error) {
        console.error(`events queue: counting ${experiment} failed; its messages will be retried`, error);
        for (const message of messages.keys()) failed.add(message);
        return;
      }
      for (const { actor } of enrolments) {
        const experiments = counted.get(actor) ?? [];
        counted.set(actor, experiments);
        experiments.push(experiment);
      }
      if (!logExposures) return;
      for (const events of messages.values()) {
        for (const event of events) if (event.kind === "exposure") console.info(exposureLine(event));
      }
    }),
  );
  await confirmEnrolments(counted, env);
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
 * An enrolment as the stats object counts it: keyed by its actor object's id, which is
 * the key the actor's outbox delivers it under too (`Outbox`), so it counts once.
 */
function enrolmentOf(event: EventMessage, env: Env): Enrolment {
  return {
    key: env.ACTORS.idFromName(event.actor).toString(),
    day: utcDay(event.timestamp_secs),
    revision: event.revision,
    variant: event.variant,
  };
}

/**
 * Tells each actor's object which of its enrolments were counted, one call per actor,
 * so that its outbox need not deliver them. Not retried: a call that fails leaves them
 * to the outbox's alarm, whose delivery the stats object then refuses by their keys.
 */
async function confirmEnrolments(counted: ReadonlyMap<string, string[]>, env: Env): Promise<void> {
  await Promise.all(
    [...counted].map(async ([actor, experiments]) => {
      try {
        await actorObjectOf(env.ACTORS, actor).confirmEnrolments(experiments);
      } catch (error) {
        console.warn("events queue: an actor's outbox was not told of its counted enrolments; its alarm will", error);
      }
    }),
  );
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
