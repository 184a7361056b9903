import { PROBLEMS, problemType } from "../../api/problems";
import type { FieldError } from "../../core";
import { ExperimentError } from "../../core";
import { Reply, type ReplyParts } from "./handler";

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
  let problem: ExperimentError;
  if (error instanceof ExperimentError) problem = error;
  else {
    console.error("internal error", error instanceof Error ? error.stack : error);
    problem = new ExperimentError("internal", "an internal error occurred; it has been logged");
  }
  const { status, title, headers: problemHeaders } = PROBLEMS[problem.code];
  const body: Problem = {
    type: problemType(problem.code),
    title,
    status,
    code: problem.code,
    detail: problem.message,
  };
  if (problem.errors.length > 0) body.errors = problem.errors;
  return new Reply(body, status, {
    ...parts,
    headers: { ...problemHeaders, ...parts.headers },
    contentType: "application/problem+json",
  });
}
