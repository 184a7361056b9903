// The call budget, counted twice: by the Worker itself (X-Edge-Calls) and by
// instrumented bindings wrapped around the real KV and Durable Object namespaces.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/edge/env";
import { createApp } from "../../src/edge/http/app";
import { admin, callsOf, fiftyFifty, ok, publish, runningExperiment, unique } from "./helpers";

/** Wraps the bindings so that every KV read and every Durable Object RPC is counted. */
function instrumented(base: Env, ttlMs: string) {
  const counts = { kv: 0, actor: 0, registry: 0 };
  const countingNamespace = <T extends Rpc.DurableObjectBranded>(
    ns: DurableObjectNamespace<T>,
    key: "actor" | "registry",
  ) =>
    new Proxy(ns, {
      get(target, prop) {
        if (prop !== "get") return Reflect.get(target, prop).bind(target);
        return (id: DurableObjectId) =>
          new Proxy(target.get(id), {
            get(stub, method) {
              const value = Reflect.get(stub, method);
              if (typeof value !== "function") return value;
              return (...args: unknown[]) => {
                counts[key]++;
                return Reflect.apply(value, stub, args);
              };
            },
          });
      },
    });
  const kv = new Proxy(base.CONFIG, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop !== "get") return typeof value === "function" ? value.bind(target) : value;
      return (...args: Parameters<KVNamespace["get"]>) => {
        counts.kv++;
        return Reflect.apply(value as KVNamespace["get"], target, args);
      };
    },
  });
  const edgeEnv: Env = {
    ...base,
    CONFIG: kv,
    ACTORS: countingNamespace(base.ACTORS, "actor"),
    REGISTRY: countingNamespace(base.REGISTRY, "registry"),
    CONFIG_CACHE_TTL_MS: ttlMs,
  };
  return { edgeEnv, counts };
}

const running = unique("budget-running");
const batch = Array.from({ length: 10 }, (_, i) => unique(`budget-batch-${i}`));
const concluded = unique("budget-concluded");
const draft = unique("budget-draft");
const archived = unique("budget-archived");

beforeAll(async () => {
  for (const name of [running, ...batch, concluded, archived]) await runningExperiment(name);
  await ok(admin("POST", `/experiments/${concluded}/conclude`, { winner: "control" }));
  await ok(admin("POST", `/experiments/${archived}/archive`));
  await ok(admin("PUT", `/experiments/${draft}`, fiftyFifty), 201);
  await publish();
});

describe("call budget per request", () => {
  const app = createApp();
  const { edgeEnv, counts } = instrumented(env, "60000");
  const fetch = (path: string, init?: RequestInit) =>
    app.fetch(new Request(`https://edge.test${path}`, init), edgeEnv, createExecutionContext());

  /** Runs `request` and returns the calls it made, by header and by binding. */
  async function measured(request: () => Promise<Response>) {
    const before = { ...counts };
    const response = await request();
    expect(response.status, await response.clone().text()).toBeLessThan(500);
    const byBinding = {
      kv: counts.kv - before.kv,
      actor: counts.actor - before.actor,
      registry: counts.registry - before.registry,
    };
    expect(callsOf(response)).toEqual(byBinding);
    return byBinding;
  }

  it("reads KV once to fill the cache, then never in steady state", async () => {
    expect(await measured(() => fetch(`/v1/assign/${running}?actor=warm-up`))).toMatchObject({ kv: 1 });
    for (let i = 0; i < 100; i++) {
      expect(await measured(() => fetch(`/v1/assign/${running}?actor=steady-${i}`))).toEqual({
        kv: 0,
        actor: 1,
        registry: 0,
      });
    }
  });

  it("makes one actor call for a new actor in a running experiment, and none when it comes back", async () => {
    expect(await measured(() => fetch(`/v1/assign/${running}?actor=budget-new`))).toEqual({
      kv: 0,
      actor: 1,
      registry: 0,
    });
    // The isolate's sticky cache answers the repeat visit.
    expect(await measured(() => fetch(`/v1/assign/${running}?actor=budget-new`))).toEqual({
      kv: 0,
      actor: 0,
      registry: 0,
    });
  });

  it("makes one actor call for a batch of 10 running experiments", async () => {
    const body = JSON.stringify({ actor: "budget-batch", experiments: batch });
    const request = () =>
      fetch("/v1/assign", { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(await measured(request)).toEqual({ kv: 0, actor: 1, registry: 0 });
  });

  it.each([
    ["concluded", concluded],
    ["draft", draft],
    ["archived", archived],
    ["unknown", "budget-unknown"],
  ])("answers a %s experiment at the edge with no Durable Object call", async (_, name) => {
    expect(await measured(() => fetch(`/v1/assign/${name}?actor=someone`))).toEqual({ kv: 0, actor: 0, registry: 0 });
  });

  it("makes no actor call for a batch of experiments none of which is running", async () => {
    const body = JSON.stringify({ actor: "x", experiments: [concluded, draft, archived, "budget-unknown"] });
    const request = () =>
      fetch("/v1/assign", { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(await measured(request)).toEqual({ kv: 0, actor: 0, registry: 0 });
  });
});
