import { createAssigner } from "./assign/create";
import { EventBuffer } from "./events/buffer";
import { EventTracker } from "./events/tracker";

/**
 * The isolate's one assigner (and so its one config cache) and its one event buffer,
 * shared by the HTTP app (`src/index.ts`) and the RPC entrypoint: a window's exposures,
 * enrolments and tracked events travel together. Module-level because the runtime
 * builds an entrypoint per call from `(ctx, env)` alone.
 */
const buffer = new EventBuffer();
export const isolateAssigner = createAssigner(undefined, buffer);
export const isolateTracker = new EventTracker(buffer);
