/**
 * A typed HTTP client for the experiments Worker: every public and admin route, typed
 * from the same schemas the Worker validates with. Runs wherever `fetch` does.
 *
 * @example
 * import { ApiError, ExperimentsClient } from "./src/client";
 *
 * const client = new ExperimentsClient({ baseUrl: "http://localhost:8787", token: "dev-admin-token" });
 * const { variant } = await client.assign("checkout_v2", { actor: "user:1", attributes: { plan: "pro" } });
 */
export {
  type ApiResponse,
  type ClientOptions,
  canTravelInPath,
  ExperimentsClient,
  type FetchLike,
  MAX_RETRY_DELAY_MS,
  MAX_TIMEOUT_MS,
  type Query,
  type RequestInput,
} from "./client";
export { ApiError, InputError, NetworkError } from "./errors";
export { CLIENT_ROUTES, type ResponseOf, type RouteId } from "./routes";
export type * from "./types";
export { variantFromText } from "./variant-text";
export { winnerInForce } from "./winner";
