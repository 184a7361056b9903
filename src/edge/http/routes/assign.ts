import { type AssignResult, type Attributes, type ErrorCode, ExperimentError } from "../../../core";
import type { EdgeAssigner } from "../../assign/assigner";
import { answerOf } from "../../assign/assigner";
import type { Env } from "../../env";
import { presentedStickyToken, resolveActor } from "../actor-id";
import { edgeFactsOf, queryAttributes } from "../attributes";
import type { EdgeRequest } from "../context";
import type { Handlers } from "../handler";
import { ATTRIBUTE_PREFIX, queryOf } from "../query";

/**
 * The public assignment routes: the actor from the request (parameter, header, cookie or
 * a new anonymous id), its attributes and the request's own `request.cf` facts, then
 * the edge assigner.
 */
export function assignHandlers(assigner: EdgeAssigner): Handlers<"assign" | "assignBatch"> {
  async function assign(
    request: EdgeRequest,
    env: Env,
    ctx: ExecutionContext,
    explicitActor: string | null | undefined,
    callerAttributes: Attributes,
    experiments: readonly string[] | null,
  ) {
    const { actor, anonymous } = resolveActor(request, explicitActor);
    if (anonymous) request.context.newActor = actor;
    const requestId = request.context.exposureRequestId;
    const stickyToken = presentedStickyToken(request);
    const answer = await assigner.assign(env, ctx, {
      actor,
      attributes: callerAttributes,
      edgeFacts: () => edgeFactsOf(request),
      experiments,
      requestId,
      stickyToken,
    });
    const { results, exposures } = answer;
    request.context.exposures = exposures;
    request.context.stickyToken = answer.stickyToken;
    return { actor, results };
  }

  return {
    assign: async ({ params, query }, request, env, ctx) => {
      const name = params.experiment;
      const attributes = queryAttributes(queryOf(request));
      const { actor, results } = await assign(request, env, ctx, query.actor, attributes, [name]);
      const result = results.get(name) as AssignResult;
      if (!result.ok) throw result.error;
      return { experiment: name, actor, variant: result.value.variant, is_override: result.value.is_override };
    },

    assignBatch: async ({ body }, request, env, ctx) => {
      refuseQueryInput(queryOf(request));
      const experiments = body.experiments ?? null;
      const { actor, results } = await assign(request, env, ctx, body.actor, body.attributes ?? {}, experiments);
      const assignments: Record<
        string,
        { variant: string; is_override: boolean } | { error: { code: ErrorCode; detail: string } }
      > = {};
      for (const [name, result] of results) {
        const answer = answerOf(result);
        assignments[name] = answer.ok
          ? { variant: answer.variant, is_override: answer.is_override }
          : { error: answer.error };
      }
      return { actor, assignments };
    },
  };
}

/**
 * The batch takes its actor and attributes from the body only: the same names in the
 * query would otherwise be ignored without a word, and the answer be for someone else.
 */
function refuseQueryInput(query: Readonly<Record<string, string>>): void {
  for (const name in query) {
    if (name === "actor" || name.startsWith(ATTRIBUTE_PREFIX)) {
      throw ExperimentError.invalidRequest(`'${name}' goes in the body of POST /v1/assign, not in its query`, [
        { parameter: name, detail: "belongs in the body" },
      ]);
    }
  }
}
