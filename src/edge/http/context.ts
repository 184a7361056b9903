import { REQUEST_ID_PATTERN } from "../../api/schemas";

/** The admin token a request presented (see `auth.ts`): its name, the history's actor, and its scope. */
export interface AdminIdentity {
  name: string;
  /** `read` calls the GET admin routes only; `write` calls every admin route. */
  scope: "read" | "write";
}

/** Per-request state that handlers share with the response finaliser. */
export interface RequestContext {
  /** The request's URL, parsed once for every stage that needs it. */
  url: URL;
  /** Its query parameters, once read (`queryOf`, query.ts). */
  query: Readonly<Record<string, string>> | null;
  /** Echoed in `X-Request-Id`: the client's own, or a fresh one. */
  requestId: string;
  /** What an exposure carries: the client's `X-Request-Id`, else `CF-Ray`, else null. */
  exposureRequestId: string | null;
  /** A new anonymous actor, whom the response gives the `exp_actor` cookie. */
  newActor: string | null;
  /** A new sticky token for the client (`exp_sticky` cookie and `X-Experiment-Sticky` header). */
  stickyToken: string | null;
  /** The admin token that authenticated this request (admin routes only). */
  admin: AdminIdentity | null;
  /** Exposures this assignment request emitted (the `X-Exposures` debug header); null on other routes. */
  exposures: number | null;
}

export type EdgeRequest = Request & { context: RequestContext };

export function createContext(request: Request): RequestContext {
  const header = request.headers.get("x-request-id");
  const clientId = header !== null && REQUEST_ID_PATTERN.test(header) ? header : null;
  return {
    url: new URL(request.url),
    query: null,
    requestId: clientId ?? crypto.randomUUID(),
    exposureRequestId: clientId ?? request.headers.get("cf-ray"),
    newActor: null,
    stickyToken: null,
    admin: null,
    exposures: null,
  };
}
