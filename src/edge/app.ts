import { AutoRouter } from "itty-router";
import type { ExposureSink } from "../core";
import { requireAdmin } from "./auth";
import { ConfigCache } from "./config-cache";
import { createContext, type EdgeRequest, type HandlerArgs } from "./context";
import { deferredSink, exposureSinkFor } from "./exposures";
import { HttpError, problemResponse } from "./problems";
import { adminRoutes } from "./routes/admin";
import { assignRoutes } from "./routes/assign";

export interface AppOptions {
  /** Where exposures go; by default the `EXPOSURE_QUEUE` binding if set, else the console JSON line (API.md). */
  exposureSink?: ExposureSink;
}

/**
 * The Worker's router, with its own config cache (one per isolate in production,
 * since the Worker builds one app). Handlers return data or throw; formatting, errors and the
 * common headers are applied once, here.
 */
export function createApp(options: AppOptions = {}) {
  const assign = assignRoutes(new ConfigCache(), (env, ctx) =>
    deferredSink(exposureSinkFor(env, options.exposureSink), ctx),
  );

  const router = AutoRouter<EdgeRequest, HandlerArgs>({
    before: [
      (request) => {
        request.context = createContext(request);
      },
      async (request, env) => {
        const path = request.context.url.pathname;
        if (path === "/v1/admin" || path.startsWith("/v1/admin/")) await requireAdmin(request, env);
      },
    ],
    catch: (error) => problemResponse(error),
    missing: () => problemResponse(new HttpError("not_found", "no such route")),
    finally: [(response: Response, request: EdgeRequest) => withCommonHeaders(response, request)],
  });

  // Each path lists its methods, then answers any other method with 405.
  const notAllowed = () => {
    throw new HttpError("method_not_allowed", "this route does not support that method");
  };
  const experiments = "/v1/admin/experiments";
  router
    .get("/v1/assign/:experiment", assign.single)
    .all("/v1/assign/:experiment", notAllowed)
    .post("/v1/assign", assign.batch)
    .all("/v1/assign", notAllowed)
    .get(experiments, adminRoutes.list)
    .all(experiments, notAllowed)
    .get(`${experiments}/:name`, adminRoutes.get)
    .put(`${experiments}/:name`, adminRoutes.put)
    .all(`${experiments}/:name`, notAllowed)
    .post(`${experiments}/:name/start`, adminRoutes.start)
    .all(`${experiments}/:name/start`, notAllowed)
    .post(`${experiments}/:name/conclude`, adminRoutes.conclude)
    .all(`${experiments}/:name/conclude`, notAllowed)
    .post(`${experiments}/:name/archive`, adminRoutes.archive)
    .all(`${experiments}/:name/archive`, notAllowed)
    .put(`${experiments}/:name/weights`, adminRoutes.weights)
    .all(`${experiments}/:name/weights`, notAllowed)
    .get(`${experiments}/:name/history`, adminRoutes.history)
    .all(`${experiments}/:name/history`, notAllowed)
    .get(`${experiments}/:name/overrides`, adminRoutes.overrides)
    .all(`${experiments}/:name/overrides`, notAllowed)
    .put(`${experiments}/:name/overrides/:actor`, adminRoutes.setOverride)
    .delete(`${experiments}/:name/overrides/:actor`, adminRoutes.removeOverride)
    .all(`${experiments}/:name/overrides/:actor`, notAllowed)
    .get(`${experiments}/:name/assignments/:actor`, adminRoutes.assignment)
    .all(`${experiments}/:name/assignments/:actor`, notAllowed);

  return router;
}

function withCommonHeaders(response: Response, request: EdgeRequest): Response {
  // Responses from fetch() can be immutable; ours are not, but copying keeps this safe.
  const out = new Response(response.body, response);
  out.headers.set("cache-control", "no-store");
  out.headers.set("x-request-id", request.context.requestId);
  out.headers.set("x-edge-calls", request.context.calls.header());
  if (request.context.setCookie !== null) out.headers.append("set-cookie", request.context.setCookie);
  if (request.context.exposures !== null) out.headers.set("x-exposures", String(request.context.exposures));
  return out;
}
