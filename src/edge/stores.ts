import {
  type Assignment,
  type AssignmentStore,
  type AssignOutcome,
  type AssignRequest,
  ExperimentError,
  fromErrorData,
} from "../core";
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

  async getAssignment(experiment: string, actor: string): Promise<Assignment | null> {
    return callActor(this.env, this.calls, actor, (stub) => stub.getAssignment(actor, experiment));
  }
}

/** One RPC to `actor`'s Durable Object; a failed call is `store_unavailable`. */
export async function callActor<T>(
  env: Env,
  calls: CallCounter,
  actor: string,
  call: (stub: DurableObjectStub<ActorObject>) => Promise<T>,
): Promise<T> {
  calls.actor++;
  try {
    return await call(actorObjectOf(env, actor));
  } catch (error) {
    console.error("actor object call failed", error);
    throw ExperimentError.storeUnavailable("the assignment store did not answer; retry");
  }
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
