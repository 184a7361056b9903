import { WorkerEntrypoint } from "cloudflare:workers";
import type { ApiErrorCode } from "../../api/problems";
import { type AssignResult, ExperimentError, type Failure } from "../../core";
import { type AssignmentAnswer, answerOf } from "../assign/assigner";
import type { Env } from "../env";
import { isolateAssigner, isolateTracker } from "../isolate";
import { AssignArguments, AssignManyArguments, parseArguments, TrackArguments } from "./arguments";
import type {
  AssignManyAnswer,
  AssignOptions,
  ExperimentsApi,
  TrackAnswer,
  TrackedEventInput,
  WithStickyToken,
} from "./contract";

/**
 * Assignment for other Workers, through a service binding: no HTTP, no public route,
 * the same rules, call budget (one actor-object call for any number of running
 * experiments) and events as `POST /v1/assign`, because it is the same `EdgeAssigner`.
 * Answers are plain data; nothing a caller sends makes a method throw.
 *
 * What differs from HTTP: the actor is required (there is no cookie to keep an
 * anonymous id in), targeting reads the caller's attributes only (an RPC call has no
 * `request.cf`), and exposures carry `requestId` or null (no `CF-Ray`).
 *
 * @example
 * // consumer wrangler.toml: [[services]] binding = "EXPERIMENTS", service = "edge-experiments", entrypoint = "ExperimentsRpc"
 * const answer = await env.EXPERIMENTS.assign("checkout_v2", "user:1", { attributes: { country: "DE" } });
 * if (answer.ok) answer.variant; // "control"
 * else answer.error.code; // "not_running", "not_eligible", "invalid_request", …
 */
export class ExperimentsRpc extends WorkerEntrypoint<Env> implements ExperimentsApi {
  /** One experiment: what `GET /v1/assign/{experiment}` answers, as data (an error is `{ok: false}`). */
  async assign(
    experiment: string,
    actor: string,
    options?: AssignOptions,
  ): Promise<AssignmentAnswer & WithStickyToken> {
    try {
      const call = parseArguments(AssignArguments, { experiment, actor, options });
      const { results, stickyToken } = await isolateAssigner.assign(this.env, this.ctx, {
        actor: call.actor,
        attributes: call.options.attributes,
        experiments: [call.experiment],
        requestId: call.options.requestId,
        stickyToken: call.options.stickyToken,
      });
      return withToken(answerOf(results.get(call.experiment) as AssignResult), stickyToken);
    } catch (error) {
      return refusal(error);
    }
  }

  /**
   * Several experiments for one actor: `POST /v1/assign`'s `assignments`, each answer
   * as data. `experiments`: at most 100 names, evaluated in the order given (which
   * decides the experiment of an exclusion group an unassigned actor lands in); null
   * or absent: every running or concluded experiment, in name order.
   */
  async assignMany(
    actor: string,
    experiments?: readonly string[] | null,
    options?: AssignOptions,
  ): Promise<AssignManyAnswer> {
    try {
      const call = parseArguments(AssignManyArguments, { actor, experiments, options });
      const { results, stickyToken } = await isolateAssigner.assign(this.env, this.ctx, {
        actor: call.actor,
        attributes: call.options.attributes,
        experiments: call.experiments,
        requestId: call.options.requestId,
        stickyToken: call.options.stickyToken,
      });
      const assignments: Record<string, AssignmentAnswer> = {};
      for (const [name, result] of results) assignments[name] = answerOf(result);
      return withToken({ ok: true as const, assignments }, stickyToken);
    } catch (error) {
      return refusal(error);
    }
  }

  /**
   * An actor's events (1 to 100), as `POST /v1/track`: queued with no Durable Object
   * call, attributed by the queue's consumer. Any invalid event refuses them all.
   */
  async track(actor: string, events: readonly TrackedEventInput[]): Promise<TrackAnswer> {
    try {
      const call = parseArguments(TrackArguments, { actor, events });
      return { ok: true, accepted: isolateTracker.track(this.env, this.ctx, call.actor, call.events) };
    } catch (error) {
      return refusal(error);
    }
  }
}

/** `answer`, with the new sticky token when one was issued. */
function withToken<T extends object>(answer: T, token: string | null): T & WithStickyToken {
  return token === null ? answer : { ...answer, sticky_token: token };
}

/**
 * What the HTTP routes would have answered with a problem document, as data: invalid
 * arguments, or configs that cannot be read (`store_unavailable`). Anything else is a
 * bug: logged with its stack, answered `internal` with nothing of it.
 */
function refusal(error: unknown): { ok: false; error: Failure<ApiErrorCode> } {
  if (error instanceof ExperimentError) return { ok: false, error: error.failure };
  console.error("internal error", error instanceof Error ? error.stack : error);
  return { ok: false, error: { code: "internal", detail: "an internal error occurred; it has been logged" } };
}
