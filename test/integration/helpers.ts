import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const TOKEN = "test-admin-token";
export const BASE = "https://edge.test";

let counter = 0;
/** A name no other test uses: tests share one runtime and its storage. */
export function unique(prefix: string): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export function call(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const headers = new Headers(init.headers);
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

export function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return call(method, `/v1/admin${path}`, { body, headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
}

export async function ok<T = Record<string, unknown>>(
  response: Promise<Response> | Response,
  status = 200,
): Promise<T> {
  const r = await response;
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return (text === "" ? null : JSON.parse(text)) as T;
}

export async function problem(response: Promise<Response> | Response, status: number, code: string) {
  const r = await response;
  const body = (await r.json()) as Record<string, unknown>;
  expect({ status: r.status, code: body.code }, JSON.stringify(body)).toEqual({ status, code });
  expect(r.headers.get("content-type")).toBe("application/problem+json");
  return { response: r, body };
}

/** Runs the registry's pending publish now, as its alarm would within a second. */
export async function publish(): Promise<void> {
  await runDurableObjectAlarm(env.REGISTRY.get(env.REGISTRY.idFromName("registry")));
}

export const fiftyFifty = {
  variants: [
    { name: "control", weight: 50 },
    { name: "treatment", weight: 50 },
  ],
};

/** Creates and starts an experiment, and publishes it to the edge. */
export async function runningExperiment(name: string, definition: object = fiftyFifty): Promise<void> {
  await ok(admin("PUT", `/experiments/${name}`, definition), 201);
  await ok(admin("POST", `/experiments/${name}/start`));
  await publish();
}

export function callsOf(response: Response): Record<string, number> {
  const header = response.headers.get("x-edge-calls") ?? "";
  return Object.fromEntries(
    header.split(", ").map((kv) => {
      const [k, v] = kv.split("=");
      return [k, Number(v)];
    }),
  );
}

/**
 * `namespace` with every RPC made through its stubs recorded in `calls` by method name;
 * a call of the method `fail` rejects instead of reaching the object.
 */
export function countingNamespace<T extends Rpc.DurableObjectBranded>(
  namespace: DurableObjectNamespace<T>,
  calls: string[],
  fail?: string,
): DurableObjectNamespace<T> {
  return new Proxy(namespace, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop !== "get") return typeof value === "function" ? value.bind(target) : value;
      return (...args: Parameters<DurableObjectNamespace<T>["get"]>) =>
        new Proxy(target.get(...args), {
          get(stub, method) {
            const member = Reflect.get(stub, method);
            if (typeof member !== "function") return member;
            return (...rpcArgs: unknown[]) => {
              calls.push(String(method));
              if (method === fail) return Promise.reject(new Error(`${fail} failed`));
              return Reflect.apply(member, stub, rpcArgs);
            };
          },
        });
    },
  });
}
