import { ROUTES, type RouteId, type RouteSpec, type WorkerRouteId } from "../../api/routes";
import { ExperimentError, type ExposureSink } from "../../core";
import { createAssigner, type EdgeAssigner } from "../assign/create";
import type { Env } from "../env";
import { CallCounts, metered } from "../metering";
import { settingsOf } from "../settings";
import { actorCookie, stickyCookie } from "./actor-id";
import { adminOf, authenticate, requireScope } from "./auth";
import { parseInput, readJsonObject } from "./body";
import { createContext, type EdgeRequest } from "./context";
import { type Handler, type Handlers, json } from "./handler";
import { problemResponse } from "./problem";
import { queryOf } from "./query";
import { type Routed, routerOf, type Served } from "./router";
import { assignHandlers } from "./routes/assign";
import { experimentHandlers } from "./routes/experiments";
import { overrideHandlers } from "./routes/overrides";
import { resultsHandlers } from "./routes/results";
import { tokenHandlers } from "./routes/token";

export interface AppOptions {
  /** Where events go; by default the `EVENTS` queue if bound, else the console exposure line. */
  exposureSink?: ExposureSink;
  /** The assigner to share (with the RPC entrypoint); by default one of this app's own. */
  assigner?: EdgeAssigner;
}

/**
 * The Worker: the route table of `src/api/routes.ts`, with its own config cache (one
 * per isolate in production, since the Worker builds one app). Each route's input is
 * parsed by its schemas before its handler runs; handlers return data or throw, and
 * formatting, errors and the common headers happen once, here.
 */
export function createApp(options: AppOptions = {}) {
  const handlers: Handlers<WorkerRouteId> = {
    ...assignHandlers(options.assigner ?? createAssigner(options.exposureSink)),
    ...experimentHandlers,
    ...overrideHandlers,
    ...resultsHandlers,
    ...tokenHandlers,
  };
  // The table's routes by path, in its order: the router answers each path's methods together.
  const paths = new Map<string, { route: RouteSpec; served: Served }[]>();
  for (const id of Object.keys(ROUTES) as RouteId[]) {
    const route: RouteSpec = ROUTES[id];
    const handler = route.asset ? servedAsAsset : handlers[id as WorkerRouteId];
    const served = serve(route, handler as unknown as Handler<RouteSpec>);
    paths.set(route.path, [...(paths.get(route.path) ?? []), { route, served }]);
  }
  const router = routerOf(paths);

  async function respond(request: EdgeRequest, env: Env, ctx: ExecutionContext): Promise<Response> {
    let routed: Routed;
    try {
      // Every admin request but OPTIONS (which reveals only what the OpenAPI document
      // publishes) presents a token first, before the route is even looked up.
      const path = request.context.url.pathname;
      if (request.method !== "OPTIONS" && (path === "/v1/admin" || path.startsWith("/v1/admin/"))) {
        request.context.admin = await authenticate(request, env);
      }
      routed = await router.fetch(request, env, ctx);
    } catch (error) {
      routed = { response: problemResponse(error), cors: null };
    }
    // HEAD is GET without the body (RFC 9110 §9.3.2): the same status and headers.
    const response = request.method === "HEAD" ? new Response(null, routed.response) : routed.response;
    return withCommonHeaders(response, request, env, routed.cors?.origin != null);
  }

  return {
    /** Every route served, as `METHOD /path/:param`. */
    routes: Object.values(ROUTES).map((route: RouteSpec) => `${route.method} ${route.path}`),
    /** Serves one request; with `DEBUG_HEADERS=1`, counts its remote calls into `X-Edge-Calls`. */
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      const edgeRequest = Object.assign(request, { context: createContext(request) });
      if (!settingsOf(env).debugHeaders) return respond(edgeRequest, env, ctx);
      const calls = new CallCounts();
      const response = await respond(edgeRequest, metered(env, calls), ctx);
      response.headers.set("x-edge-calls", calls.header());
      return response;
    },
  };
}

/**
 * A route that Workers Static Assets serves (`asset` in the route table) reaches the
 * Worker only when its file is missing: a deployment built without `npm run build:dashboard`.
 */
async function servedAsAsset(): Promise<never> {
  throw new ExperimentError("not_found", "this document is a static asset, and it was not deployed");
}

/** Parses the route's path parameters, query and body with its schemas, then runs its handler. */
function serve(route: RouteSpec, handler: Handler<RouteSpec>): Served {
  return async (request, params, env, ctx) => {
    if (route.access !== "public") requireScope(adminOf(request), route.access);
    const input = {
      params: route.params && parseInput(route.params, decodedParams(params), "path"),
      query: route.query && parseInput(route.query, queryOf(request), "query"),
      body: route.body && parseInput(route.body, await readJsonObject(request), "body"),
    };
    return responseOf(await handler(input as Parameters<Handler<RouteSpec>>[0], request, env, ctx));
  };
}

function decodedParams(params: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(params)) {
    try {
      decoded[name] = decodeURIComponent(raw);
    } catch {
      throw ExperimentError.invalidRequest(`'${name}' is not valid percent-encoded UTF-8`, [
        { parameter: name, detail: "not valid percent-encoded UTF-8" },
      ]);
    }
  }
  return decoded;
}

/** What a handler returned as a response: data as JSON. */
function responseOf(result: unknown): Response {
  return result instanceof Response ? result : json(result, 200);
}

/**
 * Sets the headers every response carries; every response here is one this Worker made,
 * so mutable. `crossOrigin`: the request came from a page on a listed CORS origin.
 */
function withCommonHeaders(out: Response, request: EdgeRequest, env: Env, crossOrigin: boolean): Response {
  out.headers.set("cache-control", "no-store");
  out.headers.set("x-request-id", request.context.requestId);
  if (request.context.newActor !== null) {
    out.headers.append("set-cookie", actorCookie(request.context.newActor, crossOrigin));
  }
  if (request.context.stickyToken !== null) {
    out.headers.append("set-cookie", stickyCookie(request.context.stickyToken, crossOrigin));
    out.headers.set("x-experiment-sticky", request.context.stickyToken);
  }
  if (settingsOf(env).debugHeaders && request.context.exposures !== null) {
    out.headers.set("x-exposures", String(request.context.exposures));
  }
  return out;
}
