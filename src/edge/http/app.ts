import { ROUTES, type RouteId, type RouteSpec } from "../../api/routes";
import { ExperimentError, type ExposureSink } from "../../core";
import { createAssigner, type EdgeAssigner } from "../assign/create";
import type { Env } from "../env";
import { CallCounts, metered } from "../metering";
import { settingsOf } from "../settings";
import { actorCookie, stickyCookie } from "./actor-id";
import { adminOf, authenticate, requireScope } from "./auth";
import { parseInput, readJsonObject } from "./body";
import { createContext, type EdgeRequest } from "./context";
import { type Cors, corsOf, preflightMethod, preflightResponse, withCorsHeaders } from "./cors";
import { type Handler, type Handlers, json } from "./handler";
import { problemResponse } from "./problem";
import { queryOf } from "./query";
import { RouteMatcher } from "./router";
import { assignHandlers } from "./routes/assign";
import { experimentHandlers } from "./routes/experiments";
import { openapiHandlers } from "./routes/openapi";
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
  const handlers: Handlers<RouteId> = {
    ...assignHandlers(options.assigner ?? createAssigner(options.exposureSink)),
    ...experimentHandlers,
    ...overrideHandlers,
    ...resultsHandlers,
    ...tokenHandlers,
    ...openapiHandlers,
  };
  const matcher = new RouteMatcher<Served>();
  // The routes a page on a listed origin may call (CORS); their paths answer preflights.
  const corsRoutes = new RouteMatcher<true>();
  for (const id of Object.keys(ROUTES) as RouteId[]) {
    const route: RouteSpec = ROUTES[id];
    matcher.add(route.method, route.path, serve(route, handlers[id] as unknown as Handler<RouteSpec>));
    if (route.cors) corsRoutes.add(route.method, route.path, true);
  }

  async function respond(request: EdgeRequest, env: Env, ctx: ExecutionContext): Promise<Response> {
    const path = request.context.url.pathname;
    const cors = corsRoutes.match("GET", path) === null ? null : corsOf(request, env);
    let response: Response;
    try {
      response =
        request.method === "OPTIONS" ? optionsResponse(request, path, cors) : await route(request, path, env, ctx);
    } catch (error) {
      response = problemResponse(error);
    }
    // HEAD is GET without the body (RFC 9110 §9.3.2): the same status and headers.
    if (request.method === "HEAD") response = new Response(null, response);
    if (cors !== null) withCorsHeaders(response, cors);
    return withCommonHeaders(response, request, env, cors?.origin != null);
  }

  /** Runs the route of the request's method and path; a known path with another method is 405. */
  async function route(request: EdgeRequest, path: string, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (path === "/v1/admin" || path.startsWith("/v1/admin/")) {
      request.context.admin = await authenticate(request, env);
    }
    const match = matcher.match(request.method === "HEAD" ? "GET" : request.method, path);
    if (match === null) throw new ExperimentError("not_found", "no such route");
    if ("value" in match) return responseOf(await match.value(request, match.params, env, ctx));
    const allowed = allowHeader(match.allowed);
    const response = problemResponse(
      new ExperimentError("method_not_allowed", `this route does not support that method; it takes ${allowed}`),
    );
    response.headers.set("allow", allowed);
    return response;
  }

  /**
   * `OPTIONS`: a CORS preflight from a listed origin for a method the path takes gets
   * the CORS answer; any other is told the path's methods in `Allow` (RFC 9110 §9.3.7),
   * without the CORS headers, which is how a browser learns the origin is not allowed.
   */
  function optionsResponse(request: Request, path: string, cors: Cors | null): Response {
    const match = matcher.match("OPTIONS", path);
    if (match === null) throw new ExperimentError("not_found", "no such route");
    const methods = "allowed" in match ? match.allowed : [];
    const asked = preflightMethod(request);
    if (cors?.origin != null && asked !== null && methods.includes(asked)) return preflightResponse(methods);
    return new Response(null, { status: 204, headers: { allow: allowHeader(methods) } });
  }

  return {
    /** Every route served, as `METHOD /path/:param`. */
    routes: matcher.list(),
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

/** A route's handler behind its input parsing. */
type Served = (
  request: EdgeRequest,
  params: Record<string, string>,
  env: Env,
  ctx: ExecutionContext,
) => Promise<unknown>;

/** Parses the route's path parameters, query and body with its schemas, then runs its handler. */
function serve(route: RouteSpec, handler: Handler<RouteSpec>): Served {
  return async (request, params, env, ctx) => {
    if (route.access !== "public") requireScope(adminOf(request), route.access);
    const input = {
      params: route.params && parseInput(route.params, decodedParams(params), "path"),
      query: route.query && parseInput(route.query, queryOf(request), "query"),
      body: route.body && parseInput(route.body, await readJsonObject(request), "body"),
    };
    return handler(input as Parameters<Handler<RouteSpec>>[0], request, env, ctx);
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

/** The `Allow` value for a path whose routes take `methods`: HEAD wherever GET, and OPTIONS everywhere. */
function allowHeader(methods: readonly string[]): string {
  return [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", ");
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
