import { ApiError, ExperimentsClient, NetworkError, type TokenIdentity } from "../client";

/**
 * The operator's admin token and what the API says it is.
 *
 * The token lives in `sessionStorage`: this tab only, gone when it closes, never in a
 * cookie. Every call sends it as `Authorization: Bearer …`, which a browser never adds
 * on its own to a request another site triggers, so the admin API has no CSRF surface.
 */
export interface Session {
  client: ExperimentsClient;
  identity: TokenIdentity;
}

const KEY = "edge-experiments.admin-token";

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    // Storage disabled: the token then lasts until the page reloads.
    return null;
  }
}

export function savedToken(): string | null {
  return storage()?.getItem(KEY) ?? null;
}

export function forgetToken(): void {
  storage()?.removeItem(KEY);
}

function clientFor(token: string): ExperimentsClient {
  // The dashboard is served by the Worker it manages: the API is on this origin.
  return new ExperimentsClient({ baseUrl: window.location.origin, token, timeout: 15_000 });
}

/**
 * Asks the API whose token this is (`GET /v1/admin/token`) and keeps it when the API
 * accepts it.
 * @throws {ApiError} the API's refusal (401 for an unknown token), so its `detail` can be shown
 */
export async function signIn(token: string): Promise<Session> {
  const client = clientFor(token);
  const identity = await client.whoami();
  storage()?.setItem(KEY, token);
  return { client, identity };
}

/** What to tell the operator about a failed call: the API's `detail` when it answered. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof NetworkError) return `The API could not be reached: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Whether the API refused the token itself (unknown or revoked): the operator must sign in again. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}
