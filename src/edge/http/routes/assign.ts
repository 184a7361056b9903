import type { ApiErrorCode } from "../../../api/problems";
import type { AssignResult, Attributes, Failure } from "../../../core";
import type { EdgeAssigner } from "../../assign/assigner";
import { answerOf } from "../../assign/assigner";
import { presentedStickyToken, resolveActor } from "../actor-id";
import { edgeFactsOf, queryAttributes } from "../attributes";
import type { Call } from "../call";
import { cookiesAllowed } from "../cors";
import type { Handlers } from "../handler";
import { problemReply } from "../problem";
import { refuseQueryInput } from "../query";
import { type Cookie, Reply, type ReplyParts } from "../reply";

/**
 * The public assignment routes: the actor from the request (parameter, header, cookie or
 * a new anonymous id), its attributes and the request's own `request.cf` facts, then
 * the edge assigner.
 */
export function assignHandlers(assigner: EdgeAssigner): Handlers<"assign" | "assignBatch"> {
  /**
   * Assigns the request's actor, and says what the answer must carry besides its body:
   * the new anonymous visitor's cookie, a new sticky token (cookie and header), and the
   * exposures emitted (a debug header).
   */
  async function assign(
    call: Call,
    explicitActor: string | undefined,
    callerAttributes: Attributes,
    experiments: readonly string[] | null,
  ) {
    const { request, env, ctx } = call;
    const cookies = cookiesAllowed(request, env);
    const { actor, cookie } = resolveActor(request, explicitActor, cookies);
    const answer = await assigner.assign(env, ctx, {
      actor,
      attributes: callerAttributes,
      edgeFacts: () => edgeFactsOf(request),
      experiments,
      requestId: call.exposureRequestId,
      stickyToken: presentedStickyToken(request, cookies),
    });
    const setCookies: Cookie[] = cookie === null ? [] : [cookie];
    const headers: Record<string, string> = {};
    if (answer.stickyToken !== null) {
      if (cookies) setCookies.push({ name: "exp_sticky", value: answer.stickyToken });
      headers["x-experiment-sticky"] = answer.stickyToken;
    }
    const parts: ReplyParts = {
      cookies: setCookies,
      headers,
      debugHeaders: { "x-exposures": String(answer.exposures) },
    };
    return { actor, results: answer.results, parts };
  }

  return {
    assign: async ({ params, query }, call) => {
      const name = params.experiment;
      const { actor, results, parts } = await assign(call, query.actor, queryAttributes(call.query), [name]);
      const answer = answerOf(results.get(name) as AssignResult);
      // A refusal (not eligible, say) still gives a new visitor its id, to keep.
      if (!answer.ok) return problemReply(answer.error, parts);
      const { ok: _, ...assigned } = answer;
      return new Reply({ experiment: name, actor, ...assigned }, 200, parts);
    },

    assignBatch: async ({ body }, call) => {
      refuseQueryInput(call.query, "POST /v1/assign");
      const experiments = body.experiments ?? null;
      const { actor, results, parts } = await assign(call, body.actor, body.attributes ?? {}, experiments);
      const assignments: Record<
        string,
        { variant: string; is_override: boolean; holdout?: string } | { error: Failure<ApiErrorCode> }
      > = {};
      for (const [name, result] of results) {
        const answer = answerOf(result);
        if (!answer.ok) {
          assignments[name] = { error: answer.error };
          continue;
        }
        const { ok: _, ...assigned } = answer;
        assignments[name] = assigned;
      }
      return new Reply({ actor, assignments }, 200, parts);
    },
  };
}
