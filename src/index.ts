import type { Env } from "./edge/env";
import { createApp } from "./edge/http/app";

export { ActorObject } from "./edge/objects/actor/actor-object";
export { RegistryObject } from "./edge/objects/registry/registry-object";

const app = createApp();

// biome-ignore lint/style/noDefaultExport: Wrangler loads the Worker from the default export.
export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
