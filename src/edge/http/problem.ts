import { PROBLEMS, problemType } from "../../api/problems";
import { ExperimentError } from "../../core";

/**
 * The single place where failures become responses (`application/problem+json`,
 * RFC 9457). Anything that is not an `ExperimentError` is a bug: logged with its
 * stack, answered as a bare 500 that shows nothing of it.
 */
export function problemResponse(error: unknown): Response {
  let problem: ExperimentError;
  if (error instanceof ExperimentError) problem = error;
  else {
    console.error("internal error", error instanceof Error ? error.stack : error);
    problem = new ExperimentError("internal", "an internal error occurred; it has been logged");
  }
  const { status, title, headers } = PROBLEMS[problem.code];
  const body: Record<string, unknown> = {
    type: problemType(problem.code),
    title,
    status,
    code: problem.code,
    detail: problem.message,
  };
  if (problem.errors.length > 0) body.errors = problem.errors;
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}
