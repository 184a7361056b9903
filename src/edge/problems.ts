import { ExperimentError, type ExperimentErrorCode } from "../core";

/** Error codes of the HTTP layer itself, beside the engine's. */
export type HttpErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "admin_disabled"
  | "internal";

export type ProblemCode = HttpErrorCode | ExperimentErrorCode;

/** The one table from error code to HTTP status and title (API.md, "Errors"). */
const PROBLEMS: Record<ProblemCode, { status: number; title: string }> = {
  invalid_request: { status: 400, title: "Invalid request" },
  unauthorized: { status: 401, title: "Unauthorized" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  payload_too_large: { status: 413, title: "Payload too large" },
  not_running: { status: 409, title: "Experiment not running" },
  archived: { status: 409, title: "Experiment archived" },
  excluded_by_group: { status: 409, title: "Excluded by mutual exclusion group" },
  variant_in_use: { status: 409, title: "Variant in use" },
  group_locked: { status: 409, title: "Exclusion group locked" },
  invalid_config: { status: 422, title: "Invalid experiment configuration" },
  no_variant: { status: 422, title: "No assignable variant" },
  admin_disabled: { status: 503, title: "Admin API disabled" },
  store_unavailable: { status: 503, title: "Store unavailable" },
  internal: { status: 500, title: "Internal error" },
};

/** Every code a problem document can carry. */
export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

/** An error a handler throws to answer with a problem document. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const invalid = (detail: string) => new HttpError("invalid_request", detail);

/** How an error travels in a batch answer: `{"code", "detail"}`. */
export function errorBody(error: ExperimentError): { code: ExperimentErrorCode; detail: string } {
  return { code: error.code, detail: error.message };
}

/**
 * The single place where failures become responses (`application/problem+json`).
 * Anything that is not an `HttpError` or `ExperimentError` is a bug: logged with its
 * stack, answered as a bare 500 that shows nothing of it.
 */
export function problemResponse(error: unknown): Response {
  let code: ProblemCode;
  let detail: string;
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (error instanceof HttpError) {
    code = error.code;
    detail = error.detail;
    Object.assign(headers, error.headers);
  } else if (error instanceof ExperimentError) {
    code = error.code;
    detail = error.message;
  } else {
    console.error("internal error", error instanceof Error ? error.stack : error);
    code = "internal";
    detail = "an internal error occurred; it has been logged";
  }
  if (code === "store_unavailable") headers["retry-after"] = "1";
  const { status, title } = PROBLEMS[code];
  return new Response(JSON.stringify({ type: `urn:edge-experiments:problem:${code}`, title, status, code, detail }), {
    status,
    headers,
  });
}
