import * as v from "valibot";
import { invalidRequest } from "../../api/problems";
import { Actor, Attributes, BatchAssignBody, ExperimentName, RequestId, TrackBody } from "../../api/schemas";

/**
 * The RPC methods' arguments, checked with the HTTP API's own schemas: an RPC caller is
 * another Worker, possibly another team's or untyped, so its values cross a trust
 * boundary just as a request body does.
 */

const Options = v.optional(
  v.strictObject(
    {
      attributes: v.optional(Attributes, {}),
      requestId: v.nullish(RequestId, null),
      // A token that does not verify is ignored, as over HTTP: only its type is checked here.
      stickyToken: v.nullish(v.string("must be a string or null"), null),
    },
    "must be an object {attributes?, requestId?, stickyToken?} with no other fields",
  ),
  {},
);

export const AssignArguments = v.object({ experiment: ExperimentName, actor: Actor, options: Options });

export const AssignManyArguments = v.object({
  actor: Actor,
  // The batch body's list (names, at most 100); null or absent: every assignable experiment.
  experiments: v.nullish(v.unwrap(BatchAssignBody.entries.experiments), null),
  options: Options,
});

/** The HTTP body's events (1 to 100, each checked as over HTTP); the actor is required. */
export const TrackArguments = v.object({ actor: Actor, events: TrackBody.entries.events });

/**
 * Parses a method's arguments, gathered into one object by name.
 * @throws {ExperimentError} `invalid_request` naming the first offending argument, e.g.
 *   `'options.attributes.country': must be a string of at most 256 characters, …`
 */
export function parseArguments<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input);
  if (parsed.success) return parsed.output;
  const [issue] = parsed.issues;
  // A strict object reports an unknown key as "expected never".
  const detail = issue.expected === "never" ? "unknown field" : issue.message;
  throw invalidRequest(`'${v.getDotPath(issue) ?? "arguments"}': ${detail}`);
}
