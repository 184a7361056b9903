import type { Env } from "./edge/env";
import { consumeEvents } from "./edge/events/consumer";
import { createApp } from "./edge/http/app";
import { isolateAssigner, isolateTracker } from "./edge/isolate";

export { ActorObject } from "./edge/objects/actor/actor-object";
export { RegistryObject } from "./edge/objects/registry/registry-object";
export { StatsObject } from "./edge/objects/stats/stats-object";
export { ExperimentsRpc } from "./edge/rpc";

// The HTTP routes and the RPC entrypoint share one assigner and one event buffer per isolate.
const app = createApp({ assigner: isolateAssigner, tracker: isolateTracker });

// biome-ignore lint/style/noDefaultExport: Wrangler loads the Worker from the default export.
export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env) => consumeEvents(batch, env),
} satisfies ExportedHandler<Env>;
