import type { Env } from "./env";

/**
 * Counts the calls one request makes to paid, remote resources, for the
 * `X-Edge-Calls` debug header (`kv=0, actor=1, registry=0`), so that tests and
 * benchmarks count them over plain HTTP instead of estimating. Counting wraps the
 * bindings once per request; nothing else in the Worker knows it happens.
 */
export class CallCounts {
  kv = 0;
  actor = 0;
  registry = 0;

  header(): string {
    return `kv=${this.kv}, actor=${this.actor}, registry=${this.registry}`;
  }
}

/** `env` with its KV reads and Durable Object RPCs counted into `counts`. */
export function metered(env: Env, counts: CallCounts): Env {
  return {
    ...env,
    CONFIG: countingMethod(env.CONFIG, "get", () => counts.kv++),
    ACTORS: countingNamespace(env.ACTORS, () => counts.actor++),
    REGISTRY: countingNamespace(env.REGISTRY, () => counts.registry++),
  };
}

/** A proxy of `target` whose method `name` calls `count` first. */
function countingMethod<T extends object>(target: T, name: PropertyKey, count: () => void): T {
  return new Proxy(target, {
    get(object, prop) {
      const value = Reflect.get(object, prop);
      if (typeof value !== "function") return value;
      if (prop !== name) return value.bind(object);
      return (...args: unknown[]) => {
        count();
        return Reflect.apply(value, object, args);
      };
    },
  });
}

/** A namespace whose stubs count every RPC made through them. */
function countingNamespace<T extends Rpc.DurableObjectBranded>(
  namespace: DurableObjectNamespace<T>,
  count: () => void,
): DurableObjectNamespace<T> {
  return new Proxy(namespace, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      if (prop !== "get") return value.bind(target);
      return (...args: Parameters<DurableObjectNamespace<T>["get"]>) =>
        new Proxy(target.get(...args), {
          get(stub, method) {
            const member = Reflect.get(stub, method);
            if (typeof member !== "function") return member;
            return (...rpcArgs: unknown[]) => {
              count();
              return Reflect.apply(member, stub, rpcArgs);
            };
          },
        });
    },
  });
}
