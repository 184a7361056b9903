import { type AssignResult, assignExperiments, type ExposureSink, LIMITS } from "../../core";
import { resolveActor } from "../actor";
import type { ConfigCache } from "../config-cache";
import type { EdgeRequest, HandlerArgs } from "../context";
import { type Env, settingsOf } from "../env";
import { errorBody, invalid } from "../problems";
import { experimentName, onlyFields, readJsonObject, validExperimentName } from "../request";
import { ActorAssignmentStore } from "../stores";

/**
 * The public assignment routes. Configs come from the edge cache; rules 1–3 and the
 * bucket are computed here; a running experiment costs ONE call to the actor's
 * Durable Object (a batch too); everything else is answered without leaving the isolate.
 */
export function assignRoutes(configs: ConfigCache, exposureSinkOf: (env: Env, ctx: ExecutionContext) => ExposureSink) {
  async function assign(request: EdgeRequest, [env, ctx]: HandlerArgs, actorInput: unknown, names: string[] | null) {
    const { actor, setCookie } = resolveActor(request, actorInput);
    request.context.setCookie = setCookie;
    const snapshot = await configs.load(env, settingsOf(env).configCacheTtlMs, request.context.calls);
    const wanted = names ?? snapshot.assignable;
    const results = await assignExperiments(
      wanted.map((name) => [name, snapshot.get(name)] as const),
      new ActorAssignmentStore(env, snapshot, request.context.calls),
      exposureSinkOf(env, ctx),
      { actor, requestId: request.context.exposureRequestId },
    );
    let exposures = 0;
    for (const result of results.values()) if (result.ok && result.exposed) exposures++;
    request.context.exposures = exposures;
    return { actor, results };
  }

  return {
    /** `GET /v1/assign/{experiment}?actor=` */
    async single(request: EdgeRequest, env: Env, ctx: ExecutionContext) {
      const name = experimentName(request.params.experiment);
      const actor = request.context.url.searchParams.get("actor") ?? undefined;
      const { actor: resolved, results } = await assign(request, [env, ctx], actor, [name]);
      const result = results.get(name) as AssignResult;
      if (!result.ok) throw result.error;
      return { experiment: name, actor: resolved, variant: result.variant, is_override: result.is_override };
    },

    /** `POST /v1/assign` with `{"actor"?, "experiments"?}` */
    async batch(request: EdgeRequest, env: Env, ctx: ExecutionContext) {
      const body = await readJsonObject(request);
      onlyFields(body, ["actor", "experiments"]);
      const names = body.experiments === undefined ? null : experimentList(body.experiments);
      const { actor, results } = await assign(request, [env, ctx], body.actor, names);
      const assignments: Record<string, unknown> = {};
      for (const [name, result] of results) {
        assignments[name] = result.ok
          ? { variant: result.variant, is_override: result.is_override }
          : { error: errorBody(result.error) };
      }
      return { actor, assignments };
    },
  };
}

function experimentList(value: unknown): string[] {
  if (!Array.isArray(value)) throw invalid("'experiments' must be an array of experiment names");
  if (value.length > LIMITS.maxBatchExperiments) {
    throw invalid(`'experiments' has ${value.length} names; at most ${LIMITS.maxBatchExperiments}`);
  }
  return value.map((name, i) => {
    if (typeof name !== "string") throw invalid(`experiments[${i}] must be a string`);
    return validExperimentName(name);
  });
}
