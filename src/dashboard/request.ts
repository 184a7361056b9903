import type { ExperimentsClient, RequestInput, ResponseOf, RouteId } from "../client";

/**
 * One route through the client's `request`, for the routes the typed client has no method
 * of its own for: resolves with the route's success status and body, and throws the
 * answer's `ApiError` otherwise, as the client's own methods do, so `describeError` and
 * `isUnauthorized` read a refusal alike.
 * @example
 * const { body } = await call(client, "listWebhooks", {});
 */
export async function call<K extends RouteId>(
  client: ExperimentsClient,
  route: K,
  input: RequestInput<K>,
): Promise<{ status: number; body: ResponseOf<K> }> {
  const response = await client.request(route, input);
  if (!response.ok) throw response.error;
  return { status: response.status, body: response.body };
}
