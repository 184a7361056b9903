import { invalidRequest } from "../../api/problems";
import { ROUTES, type RouteId, type RouteSpec, type WorkerRouteId } from "../../api/routes";
import { ExperimentError, type ExposureSink } from "../../core";
import { createAssigner, type EdgeAssigner } from "../assign/create";
import type { Env } from "../env";
import { EventBuffer } from "../events/buffer";
import { EventTracker } from "../events/tracker";
import { CallCounts, metered } from "../metering";
import { settingsOf } from "../settings";
import { setCookieHeader } from "./actor-id";
import { adminOf, authenticate, requireScope } from "./auth";
import { parseInput, readJsonObject } from "./body";
import { Call } from "./call";
import { corsHeaders, crossSiteCookies } from "./cors";
import type { Handler, Handlers } from "./handler";
import { problemReply } from "./problem";
import { Reply } from "./reply";
import { type Routed, routerOf, type Served } from "./router";
import { assignHandlers } from "./routes/assign";
import { erasureHandlers } from "./routes/erasure";
import { experimentHandlers } from "./routes/experiments";
import { holdoutHandlers } from "./routes/holdouts";
import { overrideHandlers } from "./routes/overrides";
import { resultsHandlers } from "./routes/results";
import { tokenHandlers } from "./routes/token";
import { trackHandlers } from "./routes/track";
import { webhookHandlers } from "./routes/webhooks";

export interface AppOptions {
  /** Where events go; by default the `EVENTS` queue if bound, else the console exposure line. */
  exposureSink?: ExposureSink;
  /** The assigner to share (with the RPC entrypoint); by default one of this app's own. */
  assigner?: EdgeAssigner;
  /** Where tracked events go; by default through an event buffer of this app's own to the `EVENTS` queue. */
  tracker?: EventTracker;
}

/**
 * The Worker: the route table of `src/api/routes.ts`, with its own config cache (one
 * per isolate in production, since the Worker builds one app). Each route's input is
 * parsed by its schemas before its handler runs; handlers return data or a `Reply` (or
 * throw), and the `Response` is built once, here: body, status, headers, cookies, and
 * the common, CORS and debug headers.
 */
export function createApp(options: AppOptions = {}) {
  const handlers: Handlers<WorkerRouteId> = {
    ...assignHandlers(options.assigner ?? createAssigner(options.exposureSink)),
    ...experimentHandlers,
    ...holdoutHandlers,
    ...webhookHandlers,
    ...erasureHandlers,
    ...overrideHandlers,
    ...resultsHandlers,
    ...tokenHandlers,
    ...trackHandlers(options.tracker ?? new EventTracker(new EventBuffer())),
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

  async function respond(call: Call): Promise<Response> {
    let routed: Routed;
    try {
      // Every admin request but OPTIONS (which reveals only what the OpenAPI document
      // publishes) presents a token first, before the route is even looked up.
      const path = call.url.pathname;
      if (call.request.method !== "OPTIONS" && (path === "/v1/admin" || path.startsWith("/v1/admin/"))) {
        call.admin = await authenticate(call.request, call.env);
      }
      routed = await router.fetch(call.request, call);
    } catch (error) {
      routed = { reply: problemReply(error), cors: null };
    }
    return responseOf(routed, call);
  }

  return {
    /** Every route served, as `METHOD /path/:param`. */
    routes: Object.values(ROUTES).map((route: RouteSpec) => `${route.method} ${route.path}`),
    /** Serves one request; with `DEBUG_HEADERS=1`, counts its remote calls into `X-Edge-Calls`. */
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      if (!settingsOf(env).debugHeaders) return respond(new Call(request, env, ctx));
      const calls = new CallCounts();
      const response = await respond(new Call(request, metered(env, calls), ctx));
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
  return async (call, params) => {
    if (route.access !== "public") requireScope(adminOf(call), route.access);
    const input = {
      params: route.params && parseInput(route.params, decodedParams(params), "path"),
      query: route.query && parseInput(route.query, call.query, "query"),
      body: route.body && parseInput(route.body, await readJsonObject(call.request), "body"),
    };
    const result = await handler(input as Parameters<Handler<RouteSpec>>[0], call);
    return result instanceof Reply ? result : new Reply(result);
  };
}

function decodedParams(params: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(params)) {
    try {
      decoded[name] = decodeURIComponent(raw);
    } catch {
      throw invalidRequest(`'${name}' is not valid percent-encoded UTF-8`, [
        { parameter: name, detail: "not valid percent-encoded UTF-8" },
      ]);
    }
  }
  return decoded;
}

/**
 * The one place a `Response` is built: the reply's body as JSON (none for `HEAD`, which
 * is the `GET` without its body, RFC 9110 §9.3.2), status and headers; its cookies
 * (`SameSite=None` while CORS_ORIGINS lists origins); the CORS headers; and the headers
 * every answer carries (`Cache-Control: no-store`, `X-Request-Id`).
 */
function responseOf({ reply, cors }: Routed, call: Call): Response {
  const { body, status, parts } = reply;
  const text = body === null || call.request.method === "HEAD" ? null : JSON.stringify(body);
  // The single-valued headers as one object, given to the constructor once (cheaper than
  // a `set` per header after it); only cookies, which repeat, are appended.
  const headers: Record<string, string> = { ...parts.headers };
  if (body !== null) headers["content-type"] = parts.contentType ?? "application/json; charset=utf-8";
  if (parts.debugHeaders && settingsOf(call.env).debugHeaders) Object.assign(headers, parts.debugHeaders);
  if (cors !== null) Object.assign(headers, corsHeaders(cors, status));
  headers["cache-control"] = "no-store";
  headers["x-request-id"] = call.requestId;
  const response = new Response(text, { status, headers });
  for (const cookie of parts.cookies ?? []) {
    response.headers.append("set-cookie", setCookieHeader(cookie, crossSiteCookies(call.env)));
  }
  return response;
}
