// Types of wrangler-dev.mjs, for the TypeScript tests that start the Worker with it.

export interface WranglerDev {
  url: string;
  /** The process that started it all (npx, or node with `inspector: false`), whose tree `processCpu` (process-cpu.mjs) reads. */
  pid: number;
  /** Every line wrangler and the Worker printed so far. */
  lines: string[];
  /** The port of the Worker's V8 inspector (wrangler's proxy); null with `inspector: false`. */
  inspectorPort: number | null;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (nothing listens there once it resolves). */
export function freePort(): Promise<number>;

/**
 * `wrangler dev` on a free loopback port with the debug headers on, answering HTTP and
 * serving wrangler.toml's [assets] (the built dashboard) beside the Worker. Without
 * `persistTo` it keeps its state in the repository's .wrangler/state (that of `npm run
 * dev`), so tests pass a fresh directory of their own.
 */
export function startWranglerDev(options?: {
  token?: string;
  persistTo?: string;
  vars?: Record<string, string>;
  config?: string;
  port?: number;
  quiet?: boolean;
  /** false: started through wrangler's API with the V8 inspector off (scripts/lib/start-worker.mjs). */
  inspector?: boolean;
}): Promise<WranglerDev>;

/** The environment of every `wrangler dev` a script starts: no telemetry, no `Request.cf` download, no debug log file. */
export const SCRIPTED_WRANGLER_ENV: Readonly<Record<string, string>>;
