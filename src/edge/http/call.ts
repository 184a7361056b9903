import { REQUEST_ID_PATTERN } from "../../api/schemas";
import type { Env } from "../env";
import { queryOf } from "./query";

/** The admin token a request presented (see `auth.ts`): its name, the history's actor, and its scope. */
export interface AdminIdentity {
  name: string;
  /** `read` calls the GET admin routes only; `write` calls every admin route. */
  scope: "read" | "write";
}

/**
 * One request as the app and its handlers see it: the platform request (never written
 * to), the bindings, and what the app learned of the request before routing it.
 */
export class Call {
  /** The request's URL, parsed once for every stage that needs it. */
  readonly url: URL;
  /** Echoed in `X-Request-Id`: the client's own, or a fresh one. */
  readonly requestId: string;
  /** What an exposure carries: the client's `X-Request-Id`, else `CF-Ray`, else null. */
  readonly exposureRequestId: string | null;
  /** The admin token that authenticated this request: set by the app before routing, admin routes only. */
  admin: AdminIdentity | null = null;
  #query: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly request: Request,
    readonly env: Env,
    readonly ctx: ExecutionContext,
  ) {
    this.url = new URL(request.url);
    const header = request.headers.get("x-request-id");
    const clientId = header !== null && REQUEST_ID_PATTERN.test(header) ? header : null;
    this.requestId = clientId ?? crypto.randomUUID();
    this.exposureRequestId = clientId ?? request.headers.get("cf-ray");
  }

  /**
   * The query parameters a route reads, strictly decoded once (`queryOf`).
   * @throws {ExperimentError} `invalid_request` naming the parameter
   */
  get query(): Readonly<Record<string, string>> {
    this.#query ??= queryOf(this.url.search);
    return this.#query;
  }
}
