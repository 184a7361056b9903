import { type IRequestStrict, IttyRouter } from "itty-router";
import type { RouteSpec } from "../../api/routes";
import { ExperimentError } from "../../core";
import type { Env } from "../env";
import type { EdgeRequest } from "./context";
import { type Cors, corsOf, preflightMethod, preflightResponse, withCorsHeaders } from "./cors";
import { problemResponse } from "./problem";

/** A route's handler behind its input parsing: raw (percent-encoded) path parameters in, a response out. */
export type Served = (
  request: EdgeRequest,
  params: Record<string, string>,
  env: Env,
  ctx: ExecutionContext,
) => Promise<Response>;

/** What the router answers for a request: the response, and whether its path takes CORS requests. */
export interface Routed {
  response: Response;
  cors: Cors | null;
}

/** The request as itty hands it on: with the path's raw parameters. */
type RoutedRequest = EdgeRequest & IRequestStrict;

/**
 * itty-router's smallest router (`IttyRouter`) over the route table: per path, each
 * method's route (`GET` also answering `HEAD`), then `OPTIONS`, then every other
 * method as `405` with `Allow`; last, `404` for any other path. itty matches the path
 * (one whole, non-empty segment per `:name`; trailing slashes ignored) and hands over
 * the raw parameters, which `serve` decodes strictly; its lenient `request.query` is
 * not read (`query.ts` is the strict reader).
 */
export function routerOf(paths: ReadonlyMap<string, { route: RouteSpec; served: Served }[]>) {
  const router = IttyRouter<RoutedRequest, [Env, ExecutionContext], Routed>();
  for (const [path, routes] of paths) {
    const methods = routes.map(({ route }) => route.method);
    const cors = routes.some(({ route }) => route.cors);
    /** Runs `run` for a request on this path; its errors become problems, with CORS headers where the path takes them. */
    const answer =
      (run: (request: RoutedRequest, env: Env, ctx: ExecutionContext) => Promise<Response> | Response) =>
      async (request: RoutedRequest, env: Env, ctx: ExecutionContext): Promise<Routed> => {
        const allowed = cors ? corsOf(request, env) : null;
        let response: Response;
        try {
          response = await run(request, env, ctx);
        } catch (error) {
          response = problemResponse(error);
        }
        if (allowed !== null) withCorsHeaders(response, allowed);
        return { response, cors: allowed };
      };
    for (const { route, served } of routes) {
      const handler = answer((request, env, ctx) => served(request, request.params, env, ctx));
      router[route.method.toLowerCase() as "get"](path, handler);
      if (route.method === "GET") router.head(path, handler);
    }
    router.options(
      path,
      answer((request, env) => optionsResponse(request, methods, cors ? corsOf(request, env) : null)),
    );
    router.all(
      path,
      answer(() => {
        const allowed = allowHeader(methods);
        const response = problemResponse(
          new ExperimentError("method_not_allowed", `this route does not support that method; it takes ${allowed}`),
        );
        response.headers.set("allow", allowed);
        return response;
      }),
    );
  }
  router.all(
    "*",
    async (): Promise<Routed> => ({
      response: problemResponse(new ExperimentError("not_found", "no such route")),
      cors: null,
    }),
  );
  return router;
}

/**
 * `OPTIONS`: a CORS preflight from a listed origin for a method the path takes gets
 * the CORS answer; any other is told the path's methods in `Allow` (RFC 9110 §9.3.7),
 * without the CORS headers, which is how a browser learns the origin is not allowed.
 */
function optionsResponse(request: Request, methods: readonly string[], cors: Cors | null): Response {
  const asked = preflightMethod(request);
  if (cors?.origin != null && asked !== null && methods.includes(asked)) return preflightResponse(methods);
  return new Response(null, { status: 204, headers: { allow: allowHeader(methods) } });
}

/** The `Allow` value for a path whose routes take `methods`: HEAD wherever GET, and OPTIONS everywhere. */
function allowHeader(methods: readonly string[]): string {
  return [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
}
