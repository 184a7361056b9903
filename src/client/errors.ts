import type { ErrorCode, FieldError, Problem } from "./types";

/**
 * The Worker answered, and refused: a 4xx or 5xx with its problem document.
 *
 * @example
 * try { await client.get("ghost"); }
 * catch (e) { if (e instanceof ApiError && e.code === "not_found") ... }
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  /** The problem document's `code`; `null` when the answer was not one (say, a proxy's error page). */
  readonly code: ErrorCode | null;
  /** The problem document's `detail`, else a description of the unexpected answer. */
  readonly detail: string;
  /** For `invalid_request`: every offending field (`pointer` into the body, or `parameter`). */
  readonly errors: readonly FieldError[];

  constructor(
    readonly status: number,
    /** The problem document, when the answer was one. */
    readonly problem: Problem | null,
    fallbackDetail = `HTTP ${status}`,
  ) {
    const detail = problem?.detail ?? fallbackDetail;
    super(problem === null ? detail : `${problem.code}: ${detail}`);
    this.code = problem?.code ?? null;
    this.detail = detail;
    this.errors = problem?.errors ?? [];
  }
}

/**
 * The Worker could not be reached, or did not answer in time: nothing is known about
 * whether a write landed.
 */
export class NetworkError extends Error {
  override readonly name = "NetworkError";
  constructor(
    message: string,
    /** Whether the request ran out of the client's `timeout`. */
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The client refused to send a request, because what it was given cannot travel as it
 * is: nothing was sent. Either a path parameter that URL parsing would rewrite (an
 * empty one, `.` or `..`, which would reach another route; an actor id `..` is valid
 * for assignment, but the admin routes, which name the actor in the path, cannot
 * address it), or a header that is not well-formed text (a lone surrogate, a line break).
 *
 * @example
 * try { await client.assignment("checkout_v2", ".."); }
 * catch (e) { if (e instanceof InputError) console.log(e.parameter); } // "actor"
 */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(
    message: string,
    /** The path parameter (`actor`, `name`) or header (`x-admin-actor`) at fault. */
    readonly parameter: string,
  ) {
    super(message);
  }
}
