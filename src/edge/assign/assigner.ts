import type { ApiErrorCode } from "../../api/problems";
import {
  type AssignResult,
  type Attributes,
  assignExperiments,
  deliverEvents,
  type ExposureSink,
  erasureKey,
  type Failure,
  nowSecs,
  type PreparedExperiment,
} from "../../core";
import type { ConfigCache } from "../config/cache";
import type { CompiledSnapshot } from "../config/snapshot";
import type { Env } from "../env";
import { ActorAssignmentStore } from "../objects/actor/client";
import { settingsOf } from "../settings";
import { StickyCache } from "../sticky/cache";
import { StickyAssignmentStore } from "../sticky/store";
import { StickySigner, TOKEN_REFRESH_SECS } from "../sticky/token";

/** One assignment call at the edge: who, with which attributes, in which experiments. */
export interface EdgeAssignCall {
  actor: string;
  /** The caller's attributes. */
  attributes: Attributes;
  /**
   * Facts about the request the caller's attributes may override (`request.cf` over
   * HTTP), read only when an experiment evaluated has targeting: reading `request.cf`
   * costs a parse of its whole object.
   */
  edgeFacts?: () => Attributes;
  /** In evaluation order; `null`: every running or concluded experiment, in name order. */
  experiments: readonly string[] | null;
  /** Carried by the exposures, for correlation. */
  requestId: string | null;
  /** The sticky token the caller presented (cookie, header or RPC option), if any. */
  stickyToken?: string | null;
}

/** An experiment's answer as plain data: the batch route's and the RPC entrypoint's shape. */
export type AssignmentAnswer =
  | { ok: true; variant: string; is_override: boolean; holdout?: string }
  | { ok: false; error: Failure<ApiErrorCode> };

/**
 * Assignment at the edge, whoever asks (the HTTP routes, the RPC entrypoint): configs
 * from the isolate's cache, rules 1–3, eligibility and the bucket here, then the
 * actor's known sticky answers (the caller's sticky token, this isolate's cache) for
 * actors without an override, and ONE call to the actor's Durable Object for every
 * other running experiment. The events are sent after the answer through
 * `ctx.waitUntil`, exactly as many whichever way an answer was found.
 */
export class EdgeAssigner {
  private cache = new StickyCache(0);

  constructor(
    private readonly configs: ConfigCache,
    private readonly sinkOf: (env: Env, snapshot: CompiledSnapshot) => ExposureSink,
  ) {}

  /**
   * @returns the results by experiment, how many exposures they owe, and a new sticky
   * token when `STICKY_SECRET` is set and the actor's known answers changed.
   */
  async assign(env: Env, ctx: ExecutionContext, call: EdgeAssignCall) {
    const settings = settingsOf(env);
    const snapshot = await this.configs.load(env.CONFIG, settings.configCacheTtlMs);
    if (this.cache.capacity !== settings.stickyCacheSize) this.cache = new StickyCache(settings.stickyCacheSize);
    const signer = signerOf(env);
    const now = nowSecs();
    // An actor erased recently: nothing learned of it before the erasure answers for it.
    const erasedAt = snapshot.hasErasures ? snapshot.erasedAt(await erasureKey(call.actor)) : null;
    const presented = signer && call.stickyToken ? await signer.verify(call.stickyToken, call.actor, now) : null;
    const verified = presented !== null && (erasedAt === null || presented.issuedAt > erasedAt) ? presented : null;
    const fromToken = verified?.assignments ?? NONE;
    const store = new StickyAssignmentStore(
      new ActorAssignmentStore(env.ACTORS, snapshot),
      snapshot,
      this.cache,
      fromToken,
      erasedAt,
    );
    const experiments = (call.experiments ?? snapshot.assignable).map((name) => [name, snapshot.get(name)] as const);
    const { results, ...events } = await assignExperiments(experiments, store, {
      actor: call.actor,
      attributes:
        targeted(experiments) && call.edgeFacts ? { ...call.edgeFacts(), ...call.attributes } : call.attributes,
      requestId: call.requestId,
      overridden: (experiment) => snapshot.hasOverride(experiment, call.actor),
    });
    if (events.exposures.length > 0 || events.enrolments.length > 0) {
      ctx.waitUntil(deliverEvents(this.sinkOf(env, snapshot), events));
    }
    // A new token when the known answers changed, to re-sign one made with the previous
    // secret, or to renew one a day old (a token is trusted for TOKEN_MAX_AGE_SECS).
    const stale = verified !== null && (!verified.current || verified.issuedAt < now - TOKEN_REFRESH_SECS);
    const changed = signer !== null && (!sameEntries(store.known, fromToken) || stale);
    const stickyToken = changed ? await signer.sign(call.actor, store.known, now) : null;
    return { results, exposures: events.exposures.length, stickyToken };
  }
}

const NONE: ReadonlyMap<string, string> = new Map();

/** Whether any of the experiments would evaluate targeting conditions (running, with some). */
function targeted(experiments: ReadonlyArray<readonly [string, PreparedExperiment | null]>): boolean {
  return experiments.some(
    ([, prepared]) => prepared?.config.state === "running" && prepared.config.targeting.length > 0,
  );
}

let signers: { current: string; previous?: string; signer: StickySigner } | undefined;
/** The sticky token's signer, when `STICKY_SECRET` is set (one per pair of secrets; built nothing per request). */
function signerOf(env: Env): StickySigner | null {
  const current = env.STICKY_SECRET;
  if (!current) return null;
  const previous = env.STICKY_SECRET_PREVIOUS;
  if (signers?.current !== current || signers.previous !== previous) {
    signers = { current, previous, signer: new StickySigner(current, previous) };
  }
  return signers.signer;
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** A result as the batch route and RPC callers see it: the variant, or the failure as it is. */
export function answerOf(result: AssignResult): AssignmentAnswer {
  if (!result.ok) return result;
  const { variant, is_override, holdout } = result.value;
  // `holdout` only when the actor is held out: answers of experiments without one keep their shape.
  return holdout === undefined ? { ok: true, variant, is_override } : { ok: true, variant, is_override, holdout };
}
