import * as v from "valibot";
import {
  type Attribution,
  type CountRow,
  type ExperimentConfig,
  ExperimentError,
  experimentResults,
  exposureLine,
  type GuardrailBreach,
  guardrailBreach,
  nowSecs,
  sumCountRows,
  type TrackedEvent,
  utcDay,
} from "../../core";
import { ConfigCache } from "../config/cache";
import type { CompiledSnapshot } from "../config/snapshot";
import type { Env } from "../env";
import { actorObjectOf } from "../objects/actor/client";
import { callRegistry } from "../objects/registry/client";
import { statsOf } from "../objects/stats/client";
import { SRM_CHECKED, SRM_MISMATCH, SRM_RECHECK_MS } from "../objects/stats/notices";
import type { CountedMessage, Enrolment, StatsReading } from "../objects/stats/stats-object";
import { settingsOf } from "../settings";
import { archiveMessage } from "./archive";
import { bodiesOf, EventMessage, type TrackMessage } from "./messages";
import { deliverWebhook, isWebhookMessage } from "./webhooks";

type QueueMessage = Message<unknown>;

/** The consumer's view of the configs: which running experiments' metrics listen to which events. */
const configs = new ConfigCache();

/**
 * The events queue's consumer. Webhook deliveries are sent on their own
 * (`deliverWebhook`). Tracked events are attributed first, by their actors'
 * objects (one call per actor per batch); then each experiment's exposures, enrolments
 * and metric deltas are counted into its stats object (one call per experiment per
 * batch); exposures get their log line at info level (unless `EXPOSURE_LOG=off`). A
 * message (up to 100 events, of any experiments and actors) is acknowledged once every
 * part of it is stored; otherwise it is retried, whole.
 *
 * Delivery is at least once, counting is not: each stats object remembers the ids of
 * the messages it counted (for a week), and each actor's object the attribution it
 * gave each message, so a message delivered again, after an acknowledgement was lost
 * or another part of it failed, moves no count twice. Its log lines may be written
 * again. A message retried past `max_retries` (wrangler.toml) goes to the dead-letter
 * queue, not lost silently.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deliveries = batch.messages.filter((message) => isWebhookMessage(message.body));
  const counted = batch.messages.filter((message) => !isWebhookMessage(message.body));
  await Promise.all([
    ...deliveries.map((message) => deliverWebhook(message, env)),
    counted.length > 0 ? countEvents(counted, env) : undefined,
  ]);
}

/** The event messages of a batch: archived, attributed, counted, then each acknowledged or retried. */
async function countEvents(batch: readonly QueueMessage[], env: Env): Promise<void> {
  const events = readBatch(batch);
  const failed = new Set<QueueMessage>();
  if (env.EVENTS_ARCHIVE !== undefined) await archiveBatch(env.EVENTS_ARCHIVE, events, failed);
  const snapshot = await snapshotOrNull(env);
  const { attributions, actors } = await attributeTracked(events, snapshot, env, failed);
  const byExperiment = countsByExperiment(events, attributions, failed, env);
  const logExposures = env.EXPOSURE_LOG !== "off";
  // The enrolments counted, by actor: their outboxes can let them go.
  const counted = new Map<string, string[]>();
  await Promise.all(
    [...byExperiment].map(async ([experiment, counts]) => {
      try {
        await countExperiment(experiment, counts, snapshot, env);
      } catch (error) {
        console.error(`events queue: counting ${experiment} failed; its messages will be retried`, error);
        for (const message of counts.messages.keys()) failed.add(message);
        return;
      }
      for (const { actor } of counts.enrolments) push(counted, actor, experiment);
      if (logExposures) for (const exposure of counts.exposures) console.info(exposureLine(exposure));
    }),
  );
  // An actor whose object was called for its events is not called again: its outbox's
  // alarm delivers the enrolment instead, and the stats object counts it once by its key.
  for (const actor of actors) counted.delete(actor);
  await confirmEnrolments(counted, env);
  for (const message of batch) {
    // Backing off, so that an object that is resetting or overloaded has time to recover.
    if (failed.has(message)) message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    else message.ack();
  }
}

/**
 * Archives each message's events (`archiveMessage`); a message whose write fails is
 * retried whole, and counted then, so that the archive holds every counted event.
 */
async function archiveBatch(
  bucket: R2Bucket,
  events: ReadonlyMap<QueueMessage, EventMessage[]>,
  failed: Set<QueueMessage>,
): Promise<void> {
  await Promise.all(
    [...events].map(async ([message, list]) => {
      try {
        await archiveMessage(bucket, message.id, list);
      } catch (error) {
        console.error("events queue: archiving a message failed; it will be retried", error);
        failed.add(message);
      }
    }),
  );
}

/** Each message's readable events; an unreadable one is logged and left out (retrying cannot help). */
function readBatch(messages: readonly QueueMessage[]): Map<QueueMessage, EventMessage[]> {
  const events = new Map<QueueMessage, EventMessage[]>();
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

/** The configs as the edge sees them, or `null` (logged) when they cannot be read. */
async function snapshotOrNull(env: Env): Promise<CompiledSnapshot | null> {
  try {
    return await configs.load(env.CONFIG, settingsOf(env).configCacheTtlMs);
  } catch (error) {
    console.error("events queue: the configs cannot be read; tracked events wait, guardrails go unchecked", error);
    return null;
  }
}

/**
 * Counts one experiment's part of the batch into its stats object, in one call. A
 * running experiment is then checked on the counts that call answers: its guardrails,
 * with `auto_stop` (stopped on the first that is worse: `stopOnGuardrail`), and its
 * sample ratio, roughly (`srm.mismatch`: `checkSampleRatio`).
 */
async function countExperiment(
  experiment: string,
  { messages, enrolments }: ExperimentCounts,
  snapshot: CompiledSnapshot | null,
  env: Env,
): Promise<void> {
  const stats = statsOf(env.STATS, experiment);
  const parts = [...messages.values()];
  const counted = enrolments.map(({ enrolment }) => enrolment);
  const config = snapshot?.get(experiment)?.config;
  if (config === undefined || config.state !== "running") {
    await stats.add(parts, counted);
    return;
  }
  const reading = await stats.addAndRead(parts, counted);
  if (config.auto_stop) {
    const breach = guardrailBreach(config, reading);
    if (breach !== null) await stopOnGuardrail(experiment, breach, env);
  }
  await checkSampleRatio(config, reading, env);
}

/**
 * The rough sample-ratio check (today's weights held against every enrolment): when it
 * says mismatch, and no `srm.mismatch` was told and no exact check ran in the last ten
 * minutes, the registry checks exactly, with each revision's weights, and tells the
 * webhooks the first time. Failures are logged; the next batch asks again.
 */
async function checkSampleRatio(config: ExperimentConfig, reading: StatsReading, env: Env): Promise<void> {
  const { notices } = reading;
  const checked = notices[SRM_CHECKED];
  if (notices[SRM_MISMATCH] !== undefined || (checked !== undefined && Date.now() - checked < SRM_RECHECK_MS)) return;
  if (experimentResults(config, [], reading.counts, nowSecs()).srm.status !== "mismatch") return;
  try {
    await callRegistry(env.REGISTRY, (registry) => registry.checkSrm(config.name));
  } catch (error) {
    console.error(`events queue: the exact sample-ratio check of ${config.name} failed`, error);
  }
}

/**
 * Asks the registry to conclude the experiment on its baseline for the breach. Not
 * retried here: the next batch's counts show the breach again while it still runs.
 */
async function stopOnGuardrail(experiment: string, breach: GuardrailBreach, env: Env): Promise<void> {
  try {
    await callRegistry(env.REGISTRY, (registry) => registry.autoStop(experiment, breach));
    console.warn(`events queue: ${experiment} stopped: guardrail ${breach.metric} is worse for ${breach.variant}`);
  } catch (error) {
    // `not_running`: it was concluded meanwhile (another batch, an admin), nothing to do.
    if (error instanceof ExperimentError && error.code === "not_running") return;
    console.error(`events queue: stopping ${experiment} on its guardrail failed; the next batch tries again`, error);
  }
}

/**
 * Asks each actor with tracked events that a running experiment's metric listens to
 * for their attribution, one call per actor for all its messages of the batch. Events
 * no metric listens to are dropped here, with no call. A failed call (or configs that
 * could not be read) fails the actor's messages, which are then retried whole.
 * @returns each message's attributions, and the actors whose objects were called
 */
async function attributeTracked(
  events: ReadonlyMap<QueueMessage, EventMessage[]>,
  snapshot: CompiledSnapshot | null,
  env: Env,
  failed: Set<QueueMessage>,
): Promise<{ attributions: Map<QueueMessage, Attribution[]>; actors: Set<string> }> {
  // Per actor, each message's tracked events.
  const byActor = new Map<string, Map<QueueMessage, TrackedEvent[]>>();
  for (const [message, list] of events) {
    for (const event of list) {
      if (event.kind !== "track") continue;
      const messages = byActor.get(event.actor) ?? new Map<QueueMessage, TrackedEvent[]>();
      byActor.set(event.actor, messages);
      push(messages, message, trackedEvent(event));
    }
  }
  const attributions = new Map<QueueMessage, Attribution[]>();
  const actors = new Set<string>();
  if (byActor.size === 0) return { attributions, actors };
  if (snapshot === null) {
    for (const messages of byActor.values()) for (const message of messages.keys()) failed.add(message);
    return { attributions, actors };
  }
  await Promise.all(
    [...byActor].map(async ([actor, messages]) => {
      const names = new Set([...messages.values()].flat().map((event) => event.event));
      const listeners = [...names].flatMap((name) => snapshot.listeners(name));
      if (listeners.length === 0) return;
      actors.add(actor);
      const wire = [...messages].map(([message, list]) => ({ id: message.id, events: list }));
      try {
        const answers = await actorObjectOf(env.ACTORS, actor).attribute(wire, listeners);
        let i = 0;
        for (const message of messages.keys()) push(attributions, message, answers[i++] as Attribution);
      } catch (error) {
        console.error("events queue: attributing an actor's events failed; its messages will be retried", error);
        for (const message of messages.keys()) failed.add(message);
      }
    }),
  );
  return { attributions, actors };
}

function trackedEvent({ event, value, id, timestamp_secs }: TrackMessage): TrackedEvent {
  return { event, value, id, timestamp_secs };
}

/** What one experiment's stats object is given: each message's part, and the enrolments and exposures among them. */
interface ExperimentCounts {
  messages: Map<QueueMessage, CountedMessage>;
  enrolments: { actor: string; enrolment: Enrolment }[];
  exposures: Extract<EventMessage, { kind: "exposure" }>[];
}

/**
 * Each experiment's part of the batch, from the messages not failed already: per
 * message its exposures as count rows and its metric deltas; and its enrolments.
 */
function countsByExperiment(
  events: ReadonlyMap<QueueMessage, EventMessage[]>,
  attributions: ReadonlyMap<QueueMessage, Attribution[]>,
  failed: ReadonlySet<QueueMessage>,
  env: Env,
): Map<string, ExperimentCounts> {
  const byExperiment = new Map<string, ExperimentCounts>();
  const partOf = (experiment: string, message: QueueMessage): CountedMessage => {
    const counts = byExperiment.get(experiment) ?? { messages: new Map(), enrolments: [], exposures: [] };
    byExperiment.set(experiment, counts);
    const part = counts.messages.get(message) ?? { id: message.id, rows: [], metrics: [], unattributed: [] };
    counts.messages.set(message, part);
    return part;
  };
  for (const [message, list] of events) {
    if (failed.has(message)) continue;
    for (const event of list) {
      if (event.kind === "track") continue;
      const part = partOf(event.experiment, message);
      const counts = byExperiment.get(event.experiment) as ExperimentCounts;
      if (event.kind === "exposure") {
        part.rows.push(exposureRow(event));
        counts.exposures.push(event);
      } else counts.enrolments.push({ actor: event.actor, enrolment: enrolmentOf(event, env) });
    }
    for (const { deltas, unattributed } of attributions.get(message) ?? []) {
      for (const { experiment, ...row } of deltas) partOf(experiment, message).metrics?.push(row);
      for (const { experiment, ...row } of unattributed) partOf(experiment, message).unattributed?.push(row);
    }
  }
  for (const counts of byExperiment.values()) {
    for (const part of counts.messages.values()) part.rows = sumCountRows(part.rows);
  }
  return byExperiment;
}

/**
 * An enrolment as the stats object counts it: keyed by its actor object's id, which is
 * the key the actor's outbox delivers it under too (`Outbox`), so it counts once.
 */
function enrolmentOf(event: Extract<EventMessage, { kind: "enrolment" }>, env: Env): Enrolment {
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

/** An exposure as a count row of its UTC day, revision and variant. */
function exposureRow(event: Extract<EventMessage, { kind: "exposure" }>): CountRow {
  return {
    day: utcDay(event.timestamp_secs),
    revision: event.revision,
    variant: event.variant,
    enrolled: 0,
    exposures: 1,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
