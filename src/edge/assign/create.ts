import type { ExposureSink } from "../../core";
import { ConfigCache } from "../config/cache";
import { CONSOLE_SINK, QueueEventSink } from "../events/sink";
import { EdgeAssigner } from "./assigner";

export type { EdgeAssigner } from "./assigner";

/**
 * An assigner with its own config cache (one per isolate in production, since the
 * Worker builds one), sending events to `sink` if given, else the `EVENTS` queue when
 * bound, else the console exposure line.
 */
export function createAssigner(sink?: ExposureSink): EdgeAssigner {
  return new EdgeAssigner(new ConfigCache(), (env, snapshot) => {
    if (sink !== undefined) return sink;
    if (env.EVENTS === undefined) return CONSOLE_SINK;
    return new QueueEventSink(env.EVENTS, (experiment) => snapshot.get(experiment)?.config.revision ?? 1);
  });
}
