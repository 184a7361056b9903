import type { ExposureSink } from "../../core";
import { ConfigCache } from "../config/cache";
import { EventBuffer } from "../events/buffer";
import { CONSOLE_SINK, QueueEventSink } from "../events/sink";
import { settingsOf } from "../settings";
import { EdgeAssigner } from "./assigner";

export type { EdgeAssigner } from "./assigner";

/**
 * An assigner with its own config cache and event buffer (one per isolate in
 * production, since the Worker builds one), sending events to `sink` if given, else
 * the `EVENTS` queue when bound, else the console exposure line.
 */
export function createAssigner(sink?: ExposureSink): EdgeAssigner {
  const buffer = new EventBuffer();
  return new EdgeAssigner(new ConfigCache(), (env, snapshot) => {
    if (sink !== undefined) return sink;
    if (env.EVENTS === undefined) return CONSOLE_SINK;
    const revisionOf = (experiment: string) => snapshot.get(experiment)?.config.revision ?? 1;
    return new QueueEventSink(buffer, env.EVENTS, settingsOf(env).eventsFlushMs, revisionOf);
  });
}

/**
 * The isolate's one assigner, and so its one config cache, shared by the HTTP app
 * (`src/index.ts`) and the RPC entrypoint. Module-level because the runtime builds an
 * entrypoint per call from `(ctx, env)` alone.
 */
export const isolateAssigner = createAssigner();
