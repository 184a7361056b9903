import { type AssignResult, type Attributes, assignExperiments, deliverEvents, type ExposureSink } from "../../../core";
import type { ConfigCache } from "../../config/cache";
import type { CompiledSnapshot } from "../../config/snapshot";
import type { Env } from "../../env";
import { ActorAssignmentStore } from "../../objects/actor/client";
import { settingsOf } from "../../settings";
import { resolveActor } from "../actor-id";
import { attributesOf, queryAttributes } from "../attributes";
import type { EdgeRequest } from "../context";
import type { Handlers } from "../handler";
import { batchError } from "../problem";

/**
 * The public assignment routes. Configs come from the edge cache; rules 1–3 and the
 * bucket are computed here; a running experiment costs ONE call to the actor's
 * Durable Object (a batch too); everything else is answered without leaving the
 * isolate. Exposures leave after the response, through `ctx.waitUntil`.
 */
export function assignHandlers(
  configs: ConfigCache,
  sinkOf: (env: Env, snapshot: CompiledSnapshot) => ExposureSink,
): Handlers<"assign" | "assignBatch"> {
  async function assign(
    request: EdgeRequest,
    env: Env,
    ctx: ExecutionContext,
    explicitActor: string | null | undefined,
    callerAttributes: Attributes,
    names: readonly string[] | null,
  ) {
    const { actor, setCookie } = resolveActor(request, explicitActor);
    const attributes = attributesOf(request, callerAttributes);
    request.context.setCookie = setCookie;
    const snapshot = await configs.load(env.CONFIG, settingsOf(env).configCacheTtlMs);
    const { results, ...events } = await assignExperiments(
      (names ?? snapshot.assignable).map((name) => [name, snapshot.get(name)] as const),
      new ActorAssignmentStore(env.ACTORS, snapshot),
      { actor, attributes, requestId: request.context.exposureRequestId },
    );
    if (events.exposures.length > 0 || events.enrolments.length > 0) {
      ctx.waitUntil(deliverEvents(sinkOf(env, snapshot), events));
    }
    request.context.exposures = events.exposures.length;
    return { actor, results };
  }

  return {
    assign: async ({ params, query }, request, env, ctx) => {
      const name = params.experiment;
      const attributes = queryAttributes(request.context.url.searchParams);
      const { actor, results } = await assign(request, env, ctx, query.actor, attributes, [name]);
      const result = results.get(name) as AssignResult;
      if (!result.ok) throw result.error;
      return { experiment: name, actor, variant: result.value.variant, is_override: result.value.is_override };
    },

    assignBatch: async ({ body }, request, env, ctx) => {
      const { actor, results } = await assign(
        request,
        env,
        ctx,
        body.actor,
        body.attributes ?? {},
        body.experiments ?? null,
      );
      const assignments: Record<
        string,
        { variant: string; is_override: boolean } | { error: ReturnType<typeof batchError> }
      > = {};
      for (const [name, result] of results) {
        assignments[name] = result.ok
          ? { variant: result.value.variant, is_override: result.value.is_override }
          : { error: batchError(result.error) };
      }
      return { actor, assignments };
    },
  };
}
