// `scripts/lib/wrangler-dev.mjs` is plain JavaScript without a declaration file; this
// gives the part the Node tests use a type.
// @ts-expect-error -- no declaration file for the script library (see above)
import { freePort as port, startWranglerDev as start } from "../../../scripts/lib/wrangler-dev.mjs";

export interface WranglerDev {
  url: string;
  /** Every line wrangler and the Worker printed so far. */
  lines: string[];
  stop(): Promise<void>;
}

/**
 * `wrangler dev` on a free loopback port with the debug headers on, answering HTTP.
 * Without `persistTo` it keeps its state in the repository's .wrangler/state (that of
 * `npm run dev`), so tests pass a fresh directory of their own.
 */
export const startWranglerDev: (options: {
  token?: string;
  persistTo?: string;
  vars?: Record<string, string>;
  quiet?: boolean;
}) => Promise<WranglerDev> = start;

/** A free TCP port on 127.0.0.1 (nothing listens there once it resolves). */
export const freePort: () => Promise<number> = port;
