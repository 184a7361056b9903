import { ExperimentError, fromErrorData, type Result } from "../../../core";
import type { RegistryObject } from "./registry-object";

/** The registry: one object, by a fixed name. */
export function registryOf(registry: DurableObjectNamespace<RegistryObject>): DurableObjectStub<RegistryObject> {
  return registry.get(registry.idFromName("registry"));
}

/**
 * One RPC to the registry, unwrapping its `Result`: engine errors come back as
 * `ExperimentError`s with their codes; a failed call is `store_unavailable`. Not
 * retried: admin mutations are not idempotent.
 */
export async function callRegistry<T>(
  registry: DurableObjectNamespace<RegistryObject>,
  call: (stub: DurableObjectStub<RegistryObject>) => Promise<Result<T>>,
): Promise<T> {
  let result: Result<T>;
  try {
    result = await call(registryOf(registry));
  } catch (error) {
    console.error("registry call failed", error);
    throw ExperimentError.storeUnavailable("the registry did not answer; retry");
  }
  if (!result.ok) throw fromErrorData(result.error);
  return result.value;
}
