import type * as v from "valibot";
import type { ROUTES } from "../api/routes";

/**
 * The route table as the client needs it: method, path and access of every route.
 *
 * Why a copy and not `ROUTES` itself: `ROUTES` holds the valibot schemas, so importing
 * it at run time would put valibot and the engine's limits into every browser bundle
 * of the client. Here only the three fields are repeated, and `satisfies` compares each
 * of them with `ROUTES` at compile time (the literal types), so a route added,
 * removed, renamed or moved in `src/api/routes.ts` does not compile until this table
 * follows; `test/node/client.test.ts` compares the two at run time as well.
 */
export const CLIENT_ROUTES = {
  assign: { method: "GET", path: "/v1/assign/:experiment", access: "public" },
  assignBatch: { method: "POST", path: "/v1/assign", access: "public" },
  listExperiments: { method: "GET", path: "/v1/admin/experiments", access: "read" },
  getExperiment: { method: "GET", path: "/v1/admin/experiments/:name", access: "read" },
  defineExperiment: { method: "PUT", path: "/v1/admin/experiments/:name", access: "write" },
  startExperiment: { method: "POST", path: "/v1/admin/experiments/:name/start", access: "write" },
  concludeExperiment: { method: "POST", path: "/v1/admin/experiments/:name/conclude", access: "write" },
  archiveExperiment: { method: "POST", path: "/v1/admin/experiments/:name/archive", access: "write" },
  setWeights: { method: "PUT", path: "/v1/admin/experiments/:name/weights", access: "write" },
  setCoverage: { method: "PUT", path: "/v1/admin/experiments/:name/coverage", access: "write" },
  history: { method: "GET", path: "/v1/admin/experiments/:name/history", access: "read" },
  results: { method: "GET", path: "/v1/admin/experiments/:name/results", access: "read" },
  listLayers: { method: "GET", path: "/v1/admin/layers", access: "read" },
  listHoldouts: { method: "GET", path: "/v1/admin/holdouts", access: "read" },
  listWebhooks: { method: "GET", path: "/v1/admin/webhooks", access: "read" },
  eraseActor: { method: "DELETE", path: "/v1/admin/actors/:actor", access: "write" },
  defineWebhook: { method: "PUT", path: "/v1/admin/webhooks/:name", access: "write" },
  deleteWebhook: { method: "DELETE", path: "/v1/admin/webhooks/:name", access: "write" },
  rotateWebhook: { method: "POST", path: "/v1/admin/webhooks/:name/rotate", access: "write" },
  getHoldout: { method: "GET", path: "/v1/admin/holdouts/:name", access: "read" },
  defineHoldout: { method: "PUT", path: "/v1/admin/holdouts/:name", access: "write" },
  deleteHoldout: { method: "DELETE", path: "/v1/admin/holdouts/:name", access: "write" },
  holdoutHistory: { method: "GET", path: "/v1/admin/holdouts/:name/history", access: "read" },
  holdoutResults: { method: "GET", path: "/v1/admin/holdouts/:name/results", access: "read" },
  listOverrides: { method: "GET", path: "/v1/admin/experiments/:name/overrides", access: "read" },
  setOverride: { method: "PUT", path: "/v1/admin/experiments/:name/overrides/:actor", access: "write" },
  removeOverride: { method: "DELETE", path: "/v1/admin/experiments/:name/overrides/:actor", access: "write" },
  getAssignment: { method: "GET", path: "/v1/admin/experiments/:name/assignments/:actor", access: "read" },
  track: { method: "POST", path: "/v1/track", access: "public" },
  whoami: { method: "GET", path: "/v1/admin/token", access: "read" },
  openapi: { method: "GET", path: "/openapi.json", access: "public" },
} as const satisfies { [K in RouteId]: Pick<Route<K>, "method" | "path" | "access"> };

/** The name of a route, as `src/api/routes.ts` keys it. */
export type RouteId = keyof typeof ROUTES;

type Route<K extends RouteId> = (typeof ROUTES)[K];

/** `"/a/:x/b/:y"` → `"x" | "y"`. */
type ParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

/** The path parameters of a route, from its path: every one a string. */
export type ParamsOf<K extends RouteId> = { [P in ParamNames<Route<K>["path"]>]: string };

/** What a route's body schema accepts (`undefined` for a route without a body). */
export type BodyOf<K extends RouteId> =
  Route<K> extends { body: infer S extends v.GenericSchema } ? v.InferInput<S> : undefined;

/** A route's query parameters (strings, as they travel). */
export type QueryOf<K extends RouteId> =
  Route<K> extends { query: infer S extends v.GenericSchema } ? v.InferInput<S> : undefined;

type SuccessBodies<R> = R extends { responses: infer Responses }
  ? {
      [S in keyof Responses]: Responses[S] extends { schema: infer Schema }
        ? Schema extends v.GenericSchema
          ? v.InferOutput<Schema>
          : S extends 204
            ? undefined
            : unknown
        : never;
    }[keyof Responses]
  : never;

/** The body of a route's success answer (the union when it has several success statuses). */
export type ResponseOf<K extends RouteId> = SuccessBodies<Route<K>>;
