import type { AssignmentStore, AssignOutcome, AssignRequest } from "../../../core";
import type { CompiledSnapshot } from "../../config/snapshot";
import { callObject } from "../call";
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
      revision: this.snapshot.get(request.experiment)?.config.revision ?? 1,
    }));
    return callActor(this.actors, actor, (stub) => stub.assign(wire));
  }
}

/** One RPC to `actor`'s Durable Object, sent again once after a retryable failure (`callObject`). */
export function callActor<T>(
  actors: DurableObjectNamespace<ActorObject>,
  actor: string,
  call: (stub: DurableObjectStub<ActorObject>) => Promise<T>,
): Promise<T> {
  return callObject(
    { stub: () => actorObjectOf(actors, actor), store: "the assignment store", idempotent: true },
    call,
  );
}
