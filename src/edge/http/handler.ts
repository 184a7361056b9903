import type * as v from "valibot";
import type { ROUTES, RouteId, RouteSpec } from "../../api/routes";
import type { Env } from "../env";
import type { EdgeRequest } from "./context";

type Parsed<S> = S extends v.GenericSchema ? v.InferOutput<S> : undefined;

/** A route's validated input: path parameters, query and body, each parsed by the route's schema. */
export interface Input<R extends RouteSpec> {
  params: Parsed<R["params"]>;
  query: Parsed<R["query"]>;
  body: Parsed<R["body"]>;
}

/** The body of any of a route's success responses. */
type Success<R extends RouteSpec> = {
  [K in keyof R["responses"]]: R["responses"][K] extends { schema: infer S } ? Parsed<S> : never;
}[keyof R["responses"]];

/**
 * A route's handler: validated input in, data out (formatted as JSON once, by the
 * router), or a `Response` where the status is not the first success status.
 */
export type Handler<R extends RouteSpec> = (
  input: Input<R>,
  request: EdgeRequest,
  env: Env,
  ctx: ExecutionContext,
) => Promise<Success<R> | Response>;

export type Handlers<K extends RouteId> = { [Id in K]: Handler<(typeof ROUTES)[Id]> };

/** A JSON response with `status`, for the routes with more than one success status. */
export function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}
