/**
 * Every failure the service reports, engine and HTTP alike, as one closed set of
 * machine-readable codes. The HTTP layer maps each to a status in one table
 * (`src/api/problems.ts`).
 */
export type ErrorCode =
  // The engine's (the reference's errors, and the guards this project adds).
  | "not_found"
  | "not_running"
  | "archived"
  | "excluded_by_group"
  | "not_eligible"
  | "no_variant"
  | "invalid_config"
  | "variant_in_use"
  | "group_locked"
  | "hash_locked"
  | "store_unavailable"
  // The request's own.
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "method_not_allowed"
  | "payload_too_large"
  | "unsupported_media_type"
  | "admin_disabled"
  | "internal";

/**
 * One offending field of a request and what is wrong there: `pointer` is a JSON
 * Pointer into the body (RFC 6901), `parameter` names a path or query parameter.
 */
export type FieldError =
  | { pointer: string; parameter?: undefined; detail: string }
  | { pointer?: undefined; parameter: string; detail: string };

/**
 * The one error type. `message` keeps the reference module's wording where it has one,
 * so clients of the Rust module and of this one read the same text.
 *
 * @example
 * try { await svc.assign("ghost", "user:1"); }
 * catch (e) { if (e instanceof ExperimentError && e.code === "not_found") ... }
 */
export class ExperimentError extends Error {
  override readonly name = "ExperimentError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For `invalid_request`, and `invalid_config` in an identifier: every offending field, when known. */
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
  }

  static notFound(experiment: string): ExperimentError {
    return new ExperimentError("not_found", `experiment '${experiment}' not found`);
  }
  /** @param state the experiment's lifecycle state (an `ExperimentState`) */
  static notRunning(experiment: string, state: string): ExperimentError {
    return new ExperimentError("not_running", `experiment '${experiment}' is not running (state: ${state})`);
  }
  static archived(experiment: string): ExperimentError {
    return new ExperimentError("archived", `experiment '${experiment}' is archived`);
  }
  static excludedByGroup(experiment: string, group: string): ExperimentError {
    return new ExperimentError(
      "excluded_by_group",
      `actor excluded from experiment '${experiment}' by mutual exclusion group '${group}'`,
    );
  }
  static notEligible(experiment: string, why: string): ExperimentError {
    return new ExperimentError("not_eligible", `actor is not eligible for experiment '${experiment}': ${why}`);
  }
  static noVariant(experiment: string): ExperimentError {
    return new ExperimentError(
      "no_variant",
      `experiment '${experiment}' has no assignable variant (all weights are zero)`,
    );
  }
  static invalidConfig(detail: string, errors: readonly FieldError[] = []): ExperimentError {
    return new ExperimentError("invalid_config", detail, errors);
  }
  static variantInUse(variant: string): ExperimentError {
    return new ExperimentError(
      "variant_in_use",
      `cannot delete variant '${variant}' because it has active assignments`,
    );
  }
  static groupLocked(experiment: string): ExperimentError {
    return new ExperimentError(
      "group_locked",
      `the exclusion group of experiment '${experiment}' can only change while it is a draft that never ran: ` +
        "actors assigned since it started could end up in two experiments of one group",
    );
  }
  static hashLocked(experiment: string): ExperimentError {
    return new ExperimentError(
      "hash_locked",
      `the hash version of experiment '${experiment}' can only change while it is a draft that never ran: ` +
        "actors not yet stored would move to other variants",
    );
  }
  static storeUnavailable(detail: string): ExperimentError {
    return new ExperimentError("store_unavailable", `experiment store backend error: ${detail}`);
  }
  static invalidRequest(detail: string, errors: readonly FieldError[] = []): ExperimentError {
    return new ExperimentError("invalid_request", detail, errors);
  }
}

/** A plain, structured-clone-safe form of an error, for crossing an RPC boundary. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  /** The offending fields, when the error names any (absent otherwise). */
  errors?: FieldError[];
}

export function toErrorData(error: ExperimentError): ErrorData {
  const data: ErrorData = { code: error.code, message: error.message };
  if (error.errors.length > 0) data.errors = [...error.errors];
  return data;
}

export function fromErrorData(data: ErrorData): ExperimentError {
  return new ExperimentError(data.code, data.message, data.errors);
}

/**
 * A value or an error, as plain data. Thrown errors lose their class and `code` across
 * an RPC boundary; a `Result` does not, so every Durable Object method returns one.
 */
export type Result<T, E = ErrorData> = { ok: true; value: T } | { ok: false; error: E };
