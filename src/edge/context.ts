import type { IRequest } from "itty-router";
import { CallCounter } from "./calls";
import type { Env } from "./env";
import { clientRequestId } from "./request";

/** Per-request state that handlers share with the response finaliser. */
export interface RequestContext {
  /** The request's URL, parsed once for every stage that needs it. */
  url: URL;
  /** Echoed in `X-Request-Id`: the client's own, or a fresh one. */
  requestId: string;
  /** What an exposure carries: the client's `X-Request-Id`, else `CF-Ray`, else null. */
  exposureRequestId: string | null;
  calls: CallCounter;
  setCookie: string | null;
  /** Exposures this assignment request emitted (`X-Exposures`); null on other routes. */
  exposures: number | null;
}

export type EdgeRequest = IRequest & { context: RequestContext };
export type HandlerArgs = [env: Env, ctx: ExecutionContext];

export function createContext(request: Request): RequestContext {
  const clientId = clientRequestId(request);
  return {
    url: new URL(request.url),
    requestId: clientId ?? crypto.randomUUID(),
    exposureRequestId: clientId ?? request.headers.get("cf-ray"),
    calls: new CallCounter(),
    setCookie: null,
    exposures: null,
  };
}
