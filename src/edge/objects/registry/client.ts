import { ExperimentError, type Result } from "../../../core";
import { callObject } from "../call";
import type { RegistryObject } from "./registry-object";

/** The registry: one object, by a fixed name. */
export function registryOf(registry: DurableObjectNamespace<RegistryObject>): DurableObjectStub<RegistryObject> {
  return registry.get(registry.idFromName("registry"));
}

/**
 * One RPC to the registry (never sent twice: admin changes are not idempotent),
 * unwrapping its `Result`: an engine failure is thrown again as the `ExperimentError`
 * it was, fields included.
 *
 * `call` is typed against the object's own methods rather than its stub's: the
 * registry answers plain data, which crosses RPC as it is, and the stub's types would
 * turn a tuple (a layer's `range`) into an array.
 */
export async function callRegistry<T>(
  registry: DurableObjectNamespace<RegistryObject>,
  call: (registry: RegistryObject) => Promise<Result<T>>,
): Promise<T> {
  const result = await callObject(
    { stub: () => registryOf(registry) as unknown as RegistryObject, store: "the registry", idempotent: false },
    call,
  );
  if (!result.ok) throw ExperimentError.from(result.error);
  return result.value;
}
