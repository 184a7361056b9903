import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src";
import { createApp } from "../../src/edge/http/app";
import { call, problem, runningExperiment, TOKEN, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

function ctx(): ExecutionContext {
  return createExecutionContext();
}

describe("admin authentication", () => {
  it("refuses every admin request with 503 admin_disabled when no ADMIN_TOKEN is configured", async () => {
    for (const token of [undefined, ""]) {
      const response = await worker.fetch(
        new Request("https://edge.test/v1/admin/experiments", { headers: { authorization: "Bearer anything" } }),
        { ...env, ADMIN_TOKEN: token },
        ctx(),
      );
      await problem(response, 503, "admin_disabled");
    }
  });

  it("answers 401 with WWW-Authenticate for a missing, wrong, or differently-sized token", async () => {
    for (const authorization of [undefined, "Bearer ", `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, TOKEN]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const { response } = await problem(call("GET", "/v1/admin/experiments", { headers }), 401, "unauthorized");
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
    }
  });

  it("reads the Bearer scheme in any case (RFC 9110)", async () => {
    for (const scheme of ["bearer", "BEARER", "Bearer"]) {
      const response = await call("GET", "/v1/admin/experiments", { headers: { authorization: `${scheme} ${TOKEN}` } });
      expect(response.status, scheme).toBe(200);
    }
  });

  it("never writes a presented or configured token to the logs or the response", async () => {
    const logged: unknown[] = [];
    for (const level of ["log", "error", "warn", "info", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args) => logged.push(...args));
    }
    const { body } = await problem(
      call("GET", "/v1/admin/experiments", { headers: { authorization: "Bearer secret-guess-123" } }),
      401,
      "unauthorized",
    );
    const text = JSON.stringify([logged, body]);
    expect(text).not.toContain("secret-guess-123");
    expect(text).not.toContain(TOKEN);
  });

  it("does not reveal admin routes to unauthenticated clients", async () => {
    await problem(call("GET", "/v1/admin/anything-at-all"), 401, "unauthorized");
  });
});

describe("internal errors", () => {
  it("are a bare 500 that shows nothing of the failure, logged with its stack", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const name = unique("bug");
    await runningExperiment(name);
    // An actor object that answers nonsense: a bug, not an outage.
    const actors = { idFromName: (actor: string) => actor, get: () => ({ assign: async () => ({ secret: 42 }) }) };
    const broken = { ...env, ACTORS: actors };
    const response = await createApp().fetch(
      new Request(`https://edge.test/v1/assign/${name}?actor=u`),
      broken as unknown as typeof env,
      ctx(),
    );
    const { body } = await problem(response, 500, "internal");
    expect(body.detail).toBe("an internal error occurred; it has been logged");
    expect(JSON.stringify(body)).not.toContain("store answered");
    expect(errors).toHaveBeenCalledWith("internal error", expect.stringContaining("store answered"));
  });

  it("turns a failing store into 503 store_unavailable with Retry-After", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const down = { ...env, CONFIG: { get: () => Promise.reject(new Error("kv down")) } };
    const response = await createApp().fetch(
      new Request("https://edge.test/v1/assign/x?actor=u"),
      down as unknown as typeof env,
      ctx(),
    );
    const { body } = await problem(response, 503, "store_unavailable");
    expect(response.headers.get("retry-after")).toBe("1");
    expect(JSON.stringify(body)).not.toContain("kv down");
  });
});

describe("debug headers", () => {
  it("reveal no remote calls or exposure counts unless DEBUG_HEADERS is 1", async () => {
    const name = unique("quiet");
    await runningExperiment(name);
    const request = () => new Request(`https://edge.test/v1/assign/${name}?actor=u`);
    const quiet = await createApp().fetch(request(), { ...env, DEBUG_HEADERS: undefined }, ctx());
    expect(quiet.status).toBe(200);
    expect(quiet.headers.get("x-edge-calls")).toBeNull();
    expect(quiet.headers.get("x-exposures")).toBeNull();
    const debug = await createApp().fetch(request(), { ...env, DEBUG_HEADERS: "1" }, ctx());
    expect(debug.headers.get("x-edge-calls")).toBe("kv=1, actor=1, registry=0");
    expect(debug.headers.get("x-exposures")).toBe("1");
  });
});
