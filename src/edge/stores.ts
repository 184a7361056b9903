import { type AssignmentStore, type AssignOutcome, type AssignRequest, ExperimentError, fromErrorData } from "../core";
import type { ActorAssignRequest, ActorObject } from "./actor-object";
import type { CallCounter } from "./calls";
import { actorObjectOf, type Env, registryOf } from "./env";
import type { RegistryObject, Result } from "./registry-object";
import type { CompiledSnapshot } from "./snapshot";

/**
 * The engine's `AssignmentStore` at the edge: one RPC to the actor's Durable Object per
 * call, carrying each request's exclusion-group siblings from the config snapshot
 * (the object knows only its own actor's rows, not other experiments' groups).
 */
export class ActorAssignmentStore implements AssignmentStore {
  constructor(
    private readonly env: Env,
    private readonly snapshot: CompiledSnapshot,
    private readonly calls: CallCounter,
  ) {}

  async assign(actor: string, requests: readonly AssignRequest[]): Promise<AssignOutcome[]> {
    const wire: ActorAssignRequest[] = requests.map((request) => ({
      ...request,
      siblings: this.snapshot.siblings(request.experiment, request.exclusion_group),
    }));
    return callActor(this.env, this.calls, actor, (stub) => stub.assign(wire));
  }
}

/**
 * Attempts per actor-object call. The second one only follows an error the platform
 * marks `retryable` and not `overloaded` (a reset or moved object, a dropped
 * connection), as Cloudflare advises for idempotent calls. Actor calls are: an
 * assignment that did land is sticky, so a repeat returns the same variant.
 */
const ACTOR_ATTEMPTS = 2;

/**
 * One RPC to `actor`'s Durable Object, tried again once after a retryable failure
 * (each attempt is counted); a call that still fails is `store_unavailable`.
 */
export async function callActor<T>(
  env: Env,
  calls: CallCounter,
  actor: string,
  call: (stub: DurableObjectStub<ActorObject>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    calls.actor++;
    try {
      // A fresh stub per attempt: a stub whose object failed may stay broken.
      return await call(actorObjectOf(env, actor));
    } catch (error) {
      if (attempt < ACTOR_ATTEMPTS && isRetryable(error)) {
        console.warn("actor object call failed; retrying once", error);
        // A short, jittered pause, so that the callers of an object that just reset
        // do not all come back in the same instant.
        await scheduler.wait(20 + Math.random() * 30);
        continue;
      }
      console.error("actor object call failed", error);
      throw ExperimentError.storeUnavailable("the assignment store did not answer; retry");
    }
  }
}

/** Whether the platform says a failed Durable Object call may be sent again. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const flags = error as Error & { retryable?: unknown; overloaded?: unknown };
  return flags.retryable === true && flags.overloaded !== true;
}

/**
 * One RPC to the registry, unwrapping its `Result`: engine errors come back as
 * `ExperimentError`s with their codes; a failed call is `store_unavailable`.
 */
export async function callRegistry<T>(
  env: Env,
  calls: CallCounter,
  call: (registry: DurableObjectStub<RegistryObject>) => Promise<Result<T>>,
): Promise<T> {
  calls.registry++;
  let result: Result<T>;
  try {
    result = await call(registryOf(env));
  } catch (error) {
    console.error("registry call failed", error);
    throw ExperimentError.storeUnavailable("the registry did not answer; retry");
  }
  if (!result.ok) throw fromErrorData(result.error);
  return result.value;
}
