import type { ExposureSink } from "../../core";
import { ConfigCache } from "../config/cache";
import { EventBuffer } from "../events/buffer";
import { CONSOLE_SINK, QueueEventSink } from "../events/sink";
import { settingsOf } from "../settings";
import { EdgeAssigner } from "./assigner";

export type { EdgeAssigner } from "./assigner";

/**
 * An assigner with its own config cache, and its own event buffer unless given one (one
 * of each per isolate in production: `src/edge/isolate.ts`), sending events to `sink` if given, else
 * the `EVENTS` queue when bound, else the console exposure line.
 */
export function createAssigner(sink?: ExposureSink, buffer = new EventBuffer()): EdgeAssigner {
  return new EdgeAssigner(new ConfigCache(), (env, snapshot) => {
    if (sink !== undefined) return sink;
    if (env.EVENTS === undefined) return CONSOLE_SINK;
    const revisionOf = (experiment: string) => snapshot.get(experiment)?.config.revision ?? 1;
    return new QueueEventSink(buffer, env.EVENTS, settingsOf(env).eventsFlushMs, revisionOf);
  });
}
