import type { ExperimentState } from "./types";

/** Every failure the engine reports, as a closed set of machine-readable codes. */
export type ExperimentErrorCode =
  | "not_found"
  | "not_running"
  | "archived"
  | "excluded_by_group"
  | "no_variant"
  | "invalid_config"
  | "variant_in_use"
  | "group_locked"
  | "store_unavailable";

/**
 * An engine error. `message` keeps the reference module's wording, so clients of the
 * Rust module and of this one read the same text.
 *
 * @example
 * try { await svc.assign("ghost", "user:1"); }
 * catch (e) { if (e instanceof ExperimentError && e.code === "not_found") ... }
 */
export class ExperimentError extends Error {
  override readonly name = "ExperimentError";
  constructor(
    readonly code: ExperimentErrorCode,
    message: string,
  ) {
    super(message);
  }

  static notFound(experiment: string): ExperimentError {
    return new ExperimentError("not_found", `experiment '${experiment}' not found`);
  }
  static notRunning(experiment: string, state: ExperimentState): ExperimentError {
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
  static noVariant(experiment: string): ExperimentError {
    return new ExperimentError(
      "no_variant",
      `experiment '${experiment}' has no assignable variant (all weights are zero)`,
    );
  }
  static invalidConfig(detail: string): ExperimentError {
    return new ExperimentError("invalid_config", detail);
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
  static storeUnavailable(detail: string): ExperimentError {
    return new ExperimentError("store_unavailable", `experiment store backend error: ${detail}`);
  }
}

/** A plain, structured-clone-safe form of an error, for crossing an RPC boundary. */
export interface ErrorData {
  code: ExperimentErrorCode;
  message: string;
}

export function toErrorData(error: ExperimentError): ErrorData {
  return { code: error.code, message: error.message };
}

export function fromErrorData(data: ErrorData): ExperimentError {
  return new ExperimentError(data.code, data.message);
}
