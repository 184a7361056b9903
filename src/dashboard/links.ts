import type { State } from "./format";

/**
 * The addresses of the dashboard's pages, all in the fragment (the Worker serves one
 * file); `main.ts` reads them back (`parseRoute`).
 */

/** The list of experiments, filtered to `state` (all states when `null`). */
export function listHash(state: State | null): string {
  return state === null ? "#/" : `#/?state=${state}`;
}

/** One experiment's page. */
export function experimentHash(name: string): string {
  return `#/experiments/${encodeURIComponent(name)}`;
}

/** The list of holdouts. */
export const HOLDOUTS_HASH = "#/holdouts";

/** One holdout's page. */
export function holdoutHash(name: string): string {
  return `${HOLDOUTS_HASH}/${encodeURIComponent(name)}`;
}

/** The webhook subscriptions. */
export const WEBHOOKS_HASH = "#/webhooks";
