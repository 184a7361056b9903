import { type ApiErrorCode, PROBLEMS, problemType } from "../../api/problems";
import { ExperimentError, type Failure, type FieldError } from "../../core";
import { Reply, type ReplyParts } from "./reply";

/** An error's answer (RFC 9457), with the code this API adds to the standard members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: readonly FieldError[];
}

/**
 * The single place where failures become answers (`application/problem+json`,
 * RFC 9457). Anything that is not an `ExperimentError` is a bug: logged with its
 * stack, answered as a bare 500 that shows nothing of it. `parts` add to the answer
 * (a 405's `Allow`, a new visitor's cookie), beside the code's own headers.
 */
export function problemReply(error: unknown, parts: ReplyParts = {}): Reply<Problem> {
  const problem = failureOf(error);
  const { status, title, headers: problemHeaders } = PROBLEMS[problem.code];
  const body: Problem = {
    type: problemType(problem.code),
    title,
    status,
    code: problem.code,
    detail: problem.detail,
  };
  if (problem.errors !== undefined && problem.errors.length > 0) body.errors = problem.errors;
  return new Reply(body, status, {
    ...parts,
    headers: { ...problemHeaders, ...parts.headers },
    contentType: "application/problem+json",
  });
}

/** The failure an error carries: an `ExperimentError`'s, one that crossed a boundary as data, else `internal`. */
function failureOf(error: unknown): Failure<ApiErrorCode> {
  const failure = error instanceof ExperimentError ? error.failure : error;
  // A code this table lacks (one from a newer version, say) is a bug to log, not a crash here.
  if (isFailure(failure)) return failure;
  console.error("internal error", error instanceof Error ? error.stack : error);
  return { code: "internal", detail: "an internal error occurred; it has been logged" };
}

function isFailure(value: unknown): value is Failure<ApiErrorCode> {
  if (typeof value !== "object" || value === null) return false;
  const { code, detail } = value as { code?: unknown; detail?: unknown };
  return typeof code === "string" && Object.hasOwn(PROBLEMS, code) && typeof detail === "string";
}
