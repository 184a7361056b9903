import { createApp } from "./edge/app";
import type { Env } from "./edge/env";

export { ActorObject } from "./edge/actor-object";
export { RegistryObject } from "./edge/registry-object";

const app = createApp();

// biome-ignore lint/style/noDefaultExport: Wrangler loads the Worker from the default export.
export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
