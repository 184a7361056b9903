import {
  type AssignResult,
  type Attributes,
  assignExperiments,
  deliverEvents,
  type ErrorCode,
  type ExposureSink,
} from "../../core";
import type { ConfigCache } from "../config/cache";
import type { CompiledSnapshot } from "../config/snapshot";
import type { Env } from "../env";
import { ActorAssignmentStore } from "../objects/actor/client";
import { settingsOf } from "../settings";

/** One assignment call at the edge: who, with which attributes, in which experiments. */
export interface EdgeAssignCall {
  actor: string;
  attributes: Attributes;
  /** In evaluation order; `null`: every running or concluded experiment, in name order. */
  experiments: readonly string[] | null;
  /** Carried by the exposures, for correlation. */
  requestId: string | null;
}

/** An experiment's answer as plain data: the batch route's and the RPC entrypoint's shape. */
export type AssignmentAnswer =
  | { ok: true; variant: string; is_override: boolean }
  | { ok: false; error: { code: ErrorCode; detail: string } };

/**
 * Assignment at the edge, whoever asks (the HTTP routes, the RPC entrypoint): configs
 * from the isolate's cache, rules 1–3, eligibility and the bucket here, ONE call to the
 * actor's Durable Object for every running experiment, and the events sent after the
 * answer through `ctx.waitUntil`.
 */
export class EdgeAssigner {
  constructor(
    private readonly configs: ConfigCache,
    private readonly sinkOf: (env: Env, snapshot: CompiledSnapshot) => ExposureSink,
  ) {}

  async assign(env: Env, ctx: ExecutionContext, call: EdgeAssignCall) {
    const snapshot = await this.configs.load(env.CONFIG, settingsOf(env).configCacheTtlMs);
    const { results, ...events } = await assignExperiments(
      (call.experiments ?? snapshot.assignable).map((name) => [name, snapshot.get(name)] as const),
      new ActorAssignmentStore(env.ACTORS, snapshot),
      call,
    );
    if (events.exposures.length > 0 || events.enrolments.length > 0) {
      ctx.waitUntil(deliverEvents(this.sinkOf(env, snapshot), events));
    }
    return { results, exposures: events.exposures.length };
  }
}

/** A result as plain data (no error class), for the batch route and RPC callers. */
export function answerOf(result: AssignResult): AssignmentAnswer {
  return result.ok
    ? { ok: true, variant: result.value.variant, is_override: result.value.is_override }
    : { ok: false, error: { code: result.error.code, detail: result.error.message } };
}
