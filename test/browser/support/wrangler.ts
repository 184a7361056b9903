// `scripts/lib/wrangler-dev.mjs` is plain JavaScript without a declaration file; this
// gives the part the browser test uses a type.
// @ts-expect-error -- no declaration file for the script library (see above)
import { startWranglerDev as start } from "../../../scripts/lib/wrangler-dev.mjs";

export interface WranglerDev {
  url: string;
  /** Every line wrangler and the Worker printed so far. */
  lines: string[];
  stop(): Promise<void>;
}

/**
 * `wrangler dev` on a free loopback port with the debug headers on, answering HTTP and
 * serving wrangler.toml's [assets] (the built dashboard) beside the Worker.
 */
export const startWranglerDev: (options: {
  token?: string;
  persistTo?: string;
  vars?: Record<string, string>;
  quiet?: boolean;
}) => Promise<WranglerDev> = start;
