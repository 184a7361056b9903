/**
 * The engine's failures, as one closed set of machine-readable codes: the reference's
 * errors and the guards this project adds. The API adds the request's own (a bad body,
 * a missing token) and maps every code to a status in one table (`src/api/problems.ts`).
 */
export type ErrorCode =
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
  | "layer_locked"
  | "layer_overlap"
  | "holdout_locked"
  | "holdout_in_use"
  | "store_unavailable";

/**
 * One offending field of a request and what is wrong there: `pointer` is a JSON
 * Pointer into the body (RFC 6901), `parameter` names a path or query parameter.
 */
export type FieldError =
  | { pointer: string; parameter?: undefined; detail: string }
  | { pointer?: undefined; parameter: string; detail: string };

/**
 * The one error shape: plain, structured-clone-safe data that crosses every boundary
 * as it is (a Durable Object's answer, an RPC answer, a batch entry) and becomes a
 * problem document in exactly one place (the HTTP layer's `problemReply`). `C`: the
 * codes it may carry, the engine's unless the API's are meant.
 */
export interface Failure<C extends string = ErrorCode> {
  code: C;
  /** What went wrong, in the reference module's wording where it has one. */
  detail: string;
  /** Every offending field, when known (`invalid_request`, an `invalid_config` in a name). */
  errors?: readonly FieldError[];
}

/**
 * The one error type: a `Failure` to throw. Thrown errors lose their class and `code`
 * across an RPC boundary, so what crosses one is `failure`, and `ExperimentError.from`
 * throws it again on the other side.
 *
 * @example
 * try { await svc.assign("ghost", "user:1"); }
 * catch (e) { if (e instanceof ExperimentError && e.code === "not_found") ... }
 */
export class ExperimentError<C extends string = ErrorCode> extends Error {
  override readonly name = "ExperimentError";
  readonly failure: Failure<C>;

  constructor(code: C, detail: string, errors: readonly FieldError[] = []) {
    super(detail);
    this.failure = errors.length > 0 ? { code, detail, errors: [...errors] } : { code, detail };
  }

  get code(): C {
    return this.failure.code;
  }
  get errors(): readonly FieldError[] {
    return this.failure.errors ?? [];
  }

  /** A failure that crossed a boundary, as an error to throw. */
  static from<C extends string>(failure: Failure<C>): ExperimentError<C> {
    return new ExperimentError(failure.code, failure.detail, failure.errors);
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
  static layerLocked(experiment: string): ExperimentError {
    return new ExperimentError(
      "layer_locked",
      `the layer of experiment '${experiment}' can only change while it is a draft that never ran: ` +
        "actors enrolled through its slice could end up in two experiments of one layer",
    );
  }
  static layerOverlap(experiment: string, other: string, layer: string): ExperimentError {
    return new ExperimentError(
      "layer_overlap",
      `experiment '${experiment}' cannot run: its range in layer '${layer}' overlaps that of running experiment '${other}'`,
    );
  }
  static holdoutLocked(detail: string): ExperimentError {
    return new ExperimentError("holdout_locked", detail);
  }
  static holdoutInUse(holdout: string, members: readonly string[]): ExperimentError {
    return new ExperimentError(
      "holdout_in_use",
      `holdout '${holdout}' is named by experiment${members.length > 1 ? "s" : ""} ${members.map((m) => `'${m}'`).join(", ")}; archive them or remove it from their definitions first`,
    );
  }
  static storeUnavailable(detail: string): ExperimentError {
    return new ExperimentError("store_unavailable", `experiment store backend error: ${detail}`);
  }
}

/**
 * A value or an error, as plain data. Thrown errors lose their class and `code` across
 * an RPC boundary; a `Result` does not, so every Durable Object method returns one.
 */
export type Result<T, C extends string = ErrorCode> = { ok: true; value: T } | { ok: false; error: Failure<C> };
