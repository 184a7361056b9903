import { type IRequestStrict, IttyRouter } from "itty-router";
import type { RouteSpec } from "../../api/routes";
import { ExperimentError } from "../../core";
import type { Call } from "./call";
import { type Cors, corsOf, preflightHeaders, preflightMethod } from "./cors";
import { problemReply } from "./problem";
import { Reply } from "./reply";

/** A route's handler behind its input parsing: raw (percent-encoded) path parameters in, the answer out. */
export type Served = (call: Call, params: Record<string, string>) => Promise<Reply>;

/** What the router answers for a request: the reply, and the CORS decision when its path takes CORS requests. */
export interface Routed {
  reply: Reply;
  cors: Cors | null;
}

/** The request as itty hands it on, with the path's raw parameters (itty sets them on it). */
type RoutedRequest = Request & IRequestStrict;

/**
 * itty-router's smallest router (`IttyRouter`) over the route table: per path, each
 * method's route (`GET` also answering `HEAD`), then `OPTIONS`, then every other
 * method as `405` with `Allow`; last, `404` for any other path. itty matches the path
 * (one whole, non-empty segment per `:name`; trailing slashes ignored) and hands over
 * the raw parameters, which `serve` decodes strictly; its lenient `request.query` is
 * never read (`Call.query` is the strict reader).
 */
export function routerOf(paths: ReadonlyMap<string, { route: RouteSpec; served: Served }[]>) {
  const router = IttyRouter<RoutedRequest, [Call], Routed>();
  for (const [path, routes] of paths) {
    const methods = routes.map(({ route }) => route.method);
    const cors = routes.some(({ route }) => route.cors);
    /** Runs `run` for a request on this path; its errors become problems. */
    const answer =
      (run: (request: RoutedRequest, call: Call, cors: Cors | null) => Promise<Reply> | Reply) =>
      async (request: RoutedRequest, call: Call): Promise<Routed> => {
        const decision = cors ? corsOf(call.request, call.env) : null;
        try {
          return { reply: await run(request, call, decision), cors: decision };
        } catch (error) {
          return { reply: problemReply(error), cors: decision };
        }
      };
    for (const { route, served } of routes) {
      const handler = answer((request, call) => served(call, request.params));
      router[route.method.toLowerCase() as "get"](path, handler);
      if (route.method === "GET") router.head(path, handler);
    }
    router.options(
      path,
      answer((_, call, decision) => optionsReply(call.request, methods, decision)),
    );
    router.all(
      path,
      answer(() => {
        const allowed = allowHeader(methods);
        const refusal = `this route does not support that method; it takes ${allowed}`;
        return problemReply(new ExperimentError("method_not_allowed", refusal), { headers: { allow: allowed } });
      }),
    );
  }
  router.all(
    "*",
    async (): Promise<Routed> => ({
      reply: problemReply(new ExperimentError("not_found", "no such route")),
      cors: null,
    }),
  );
  return router;
}

/**
 * `OPTIONS`: a CORS preflight from a listed origin for a method the path takes gets
 * the CORS answer; any other is told the path's methods in `Allow` (RFC 9110 §9.3.7),
 * without the preflight's headers (`Access-Control-Allow-Methods`), which is how a browser
 * learns the request is not allowed.
 */
function optionsReply(request: Request, methods: readonly string[], cors: Cors | null): Reply {
  const asked = preflightMethod(request);
  const preflight = cors?.origin != null && asked !== null && methods.includes(asked);
  return new Reply(null, 204, { headers: preflight ? preflightHeaders(methods) : { allow: allowHeader(methods) } });
}

/** The `Allow` value for a path whose routes take `methods`: HEAD wherever GET, and OPTIONS everywhere. */
function allowHeader(methods: readonly string[]): string {
  return [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
}
