// Types for `import { env, exports } from "cloudflare:workers"` in tests: the Worker's
// own Env and main module (wrangler.toml's bindings, src/index.ts's exports).
import type { Env as WorkerEnv } from "../src/edge/env";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      /** An R2 bucket of the tests' own (vitest.config.ts), passed as EVENTS_ARCHIVE where archiving is tested. */
      TEST_ARCHIVE: R2Bucket;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
      durableNamespaces: "ActorObject" | "RegistryObject" | "StatsObject";
    }
  }
}
