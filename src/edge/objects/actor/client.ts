import { type AssignmentStore, type AssignOutcome, type AssignRequest, ExperimentError } from "../../../core";
import type { CompiledSnapshot } from "../../config/snapshot";
import type { ActorAssignRequest, ActorObject } from "./actor-object";

/** The Durable Object that owns `actor`'s sticky assignments and overrides. */
export function actorObjectOf(
  actors: DurableObjectNamespace<ActorObject>,
  actor: string,
): DurableObjectStub<ActorObject> {
  return actors.get(actors.idFromName(actor));
}

/**
 * The engine's `AssignmentStore` at the edge: one RPC to the actor's Durable Object per
 * call, carrying each request's exclusion-group siblings from the config snapshot
 * (the object knows only its own actor's rows, not other experiments' groups).
 */
export class ActorAssignmentStore implements AssignmentStore {
  constructor(
    private readonly actors: DurableObjectNamespace<ActorObject>,
    private readonly snapshot: CompiledSnapshot,
  ) {}

  async assign(actor: string, requests: readonly AssignRequest[]): Promise<AssignOutcome[]> {
    const wire: ActorAssignRequest[] = requests.map((request) => ({
      ...request,
      siblings: this.snapshot.siblings(request.experiment, request.exclusion_group),
    }));
    return callActor(this.actors, actor, (stub) => stub.assign(wire));
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
 * One RPC to `actor`'s Durable Object, tried again once after a retryable failure; a
 * call that still fails is `store_unavailable`.
 */
export async function callActor<T>(
  actors: DurableObjectNamespace<ActorObject>,
  actor: string,
  call: (stub: DurableObjectStub<ActorObject>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // A fresh stub per attempt: a stub whose object failed may stay broken.
      return await call(actorObjectOf(actors, actor));
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
