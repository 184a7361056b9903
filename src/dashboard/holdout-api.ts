import type { ExperimentsClient, RequestInput, ResponseOf } from "../client";
import type { AnalysisMethod } from "./format";
import { call } from "./request";

/**
 * The holdout routes, through the client's `request` (`call`): each resolves with the
 * route's success body and throws the answer's `ApiError` otherwise.
 */

export type HoldoutEntry = ResponseOf<"listHoldouts">["holdouts"][number];
export type Holdout = ResponseOf<"getHoldout">;
export type HoldoutResults = ResponseOf<"holdoutResults">;
export type HoldoutHistory = ResponseOf<"holdoutHistory">;
/** What the dialog may change: the share held out and the description (metrics are kept as they are). */
export type HoldoutDefinition = NonNullable<RequestInput<"defineHoldout">["body"]>;

/**
 * @example
 * const holdouts = holdoutApi(ctx.session.client);
 * const { holdouts: all } = await holdouts.list();
 */
export function holdoutApi(client: ExperimentsClient) {
  return {
    list: async () => (await call(client, "listHoldouts", {})).body,
    get: async (name: string) => (await call(client, "getHoldout", { params: { name } })).body,
    /** Creates (`created: true`) or replaces the definition. */
    define: async (name: string, body: HoldoutDefinition) => {
      const { status, body: holdout } = await call(client, "defineHoldout", { params: { name }, body });
      return { holdout, created: status === 201 };
    },
    remove: async (name: string): Promise<void> => {
      await call(client, "deleteHoldout", { params: { name } });
    },
    history: async (name: string) => (await call(client, "holdoutHistory", { params: { name } })).body,
    results: async (name: string, method: AnalysisMethod) =>
      (await call(client, "holdoutResults", { params: { name }, query: { method } })).body,
  };
}
