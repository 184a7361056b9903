import { type ErrorCode, ExperimentError, type FieldError } from "../core";

/** The request's own failures, beside the engine's: how it was sent, and who sent it. */
export type RequestErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "admin_disabled"
  | "internal";

/** Every code an answer of the API can carry. */
export type ApiErrorCode = ErrorCode | RequestErrorCode;

/**
 * The one table from error code to HTTP status, title and the headers that go with it.
 * Closed over `ApiErrorCode`: a new code does not compile until it has a row here, and
 * the OpenAPI document lists exactly these codes.
 */
export const PROBLEMS: Record<ApiErrorCode, { status: number; title: string; headers?: Record<string, string> }> = {
  invalid_request: { status: 400, title: "Invalid request" },
  unauthorized: { status: 401, title: "Unauthorized", headers: { "www-authenticate": "Bearer" } },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  not_running: { status: 409, title: "Experiment not running" },
  archived: { status: 409, title: "Experiment archived" },
  excluded_by_group: { status: 409, title: "Excluded by mutual exclusion group" },
  not_eligible: { status: 409, title: "Not eligible" },
  variant_in_use: { status: 409, title: "Variant in use" },
  group_locked: { status: 409, title: "Exclusion group locked" },
  hash_locked: { status: 409, title: "Hash version locked" },
  layer_locked: { status: 409, title: "Layer locked" },
  layer_overlap: { status: 409, title: "Layer range taken" },
  holdout_locked: { status: 409, title: "Holdout locked" },
  holdout_in_use: { status: 409, title: "Holdout in use" },
  invalid_config: { status: 422, title: "Invalid experiment configuration" },
  no_variant: { status: 422, title: "No assignable variant" },
  admin_disabled: { status: 503, title: "Admin API disabled" },
  store_unavailable: { status: 503, title: "Store unavailable", headers: { "retry-after": "1" } },
  internal: { status: 500, title: "Internal error" },
};

/** Every code a problem document can carry, in the table's order. */
export const ERROR_CODES = Object.keys(PROBLEMS) as ApiErrorCode[];

/** The `type` URI of a problem document with `code`. */
export const problemType = (code: ApiErrorCode) => `urn:edge-experiments:problem:${code}`;

/** A request that is malformed, naming every offending field when known. */
export function invalidRequest(detail: string, errors: readonly FieldError[] = []): ExperimentError<ApiErrorCode> {
  return new ExperimentError<ApiErrorCode>("invalid_request", detail, errors);
}
