// Types for `import { env, exports } from "cloudflare:workers"` in tests: the Worker's
// own Env and main module (wrangler.toml's bindings, src/index.ts's exports).
import type { ExposureRecord } from "../src/core";
import type { Env as WorkerEnv } from "../src/edge/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      /** Test-only (vitest.config.ts): a real local queue producer. */
      TEST_EXPOSURE_QUEUE: Queue<ExposureRecord>;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "ActorObject" | "RegistryObject";
    }
  }
}
