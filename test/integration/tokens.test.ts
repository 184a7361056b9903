// Scoped, named admin tokens: ADMIN_TOKENS (name:scope:token, comma-separated) beside
// ADMIN_TOKEN (a write token named "admin"); read tokens call the GET routes only; the
// history records the token's name; a malformed set disables the admin API.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/edge/http/app";
import { BASE, fiftyFifty, problem, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

const TOKENS = "viewer:read:view-secret-1,ci:write:ci-secret-2,ci-next:write:ci-secret-3";

function adminWith(tokens: Partial<typeof env>) {
  const app = createApp();
  return (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.fetch(
      new Request(`${BASE}/v1/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { ...env, ...tokens },
      createExecutionContext(),
    );
}

describe("scoped admin tokens", () => {
  const call = adminWith({ ADMIN_TOKENS: TOKENS });

  it("lets a read token call the GET routes and refuses it every change with 403 forbidden", async () => {
    const name = unique("scoped");
    expect((await call("PUT", `/experiments/${name}`, "ci-secret-2", fiftyFifty)).status).toBe(201);
    expect((await call("GET", "/experiments", "view-secret-1")).status).toBe(200);
    expect((await call("GET", `/experiments/${name}/history`, "view-secret-1")).status).toBe(200);
    const { body } = await problem(call("POST", `/experiments/${name}/start`, "view-secret-1"), 403, "forbidden");
    expect(body.detail).toContain("viewer");
    await problem(call("PUT", `/experiments/${name}`, "view-secret-1", fiftyFifty), 403, "forbidden");
    expect(await (await call("GET", `/experiments/${name}`, "view-secret-1")).json()).toMatchObject({ state: "draft" });
  });

  it("records the token's name as the history's actor, and X-Admin-Actor after it", async () => {
    const name = unique("named");
    await call("PUT", `/experiments/${name}`, "ci-secret-2", fiftyFifty);
    await call("POST", `/experiments/${name}/start`, "ci-secret-3", undefined, { "x-admin-actor": "ops@example.com" });
    const history = (await (await call("GET", `/experiments/${name}/history`, "view-secret-1")).json()) as {
      history: { mutation: string; actor: string }[];
    };
    expect(history.history.map((h) => [h.mutation, h.actor])).toEqual([
      ["state=running", "ci-next/ops@example.com"],
      ["created", "ci"],
    ]);
  });

  it("accepts two write tokens at once, for rotation, and says whose a token is", async () => {
    for (const [token, name, scope] of [
      ["ci-secret-2", "ci", "write"],
      ["ci-secret-3", "ci-next", "write"],
      ["view-secret-1", "viewer", "read"],
    ]) {
      expect(await (await call("GET", "/token", token as string)).json()).toEqual({ name, scope });
    }
  });

  it("skips empty entries: a trailing or doubled comma declares nothing", async () => {
    const call = adminWith({ ADMIN_TOKENS: ` ,ci:write:comma-secret-1,, viewer:read:comma-secret-2 ,` });
    expect(await (await call("GET", "/token", "comma-secret-1")).json()).toEqual({ name: "ci", scope: "write" });
    expect(await (await call("GET", "/token", "comma-secret-2")).json()).toEqual({ name: "viewer", scope: "read" });
  });

  it("keeps ADMIN_TOKEN working beside them, as the write token named admin", async () => {
    const both = adminWith({ ADMIN_TOKENS: TOKENS, ADMIN_TOKEN: "legacy-secret" });
    expect(await (await both("GET", "/token", "legacy-secret")).json()).toEqual({ name: "admin", scope: "write" });
  });

  it("refuses an unknown token, and logs no token of any failed request", async () => {
    const logs = [
      vi.spyOn(console, "log"),
      vi.spyOn(console, "info"),
      vi.spyOn(console, "error"),
      vi.spyOn(console, "warn"),
    ];
    await problem(call("GET", "/experiments", "wrong-secret-9"), 401, "unauthorized");
    await problem(call("POST", "/experiments/x/start", "view-secret-1"), 403, "forbidden");
    const logged = JSON.stringify(logs.flatMap((spy) => spy.mock.calls));
    for (const secret of ["wrong-secret-9", "view-secret-1", "ci-secret-2"]) expect(logged).not.toContain(secret);
  });
});

describe("a malformed ADMIN_TOKENS", () => {
  // The first entry is always ok:write:good-secret, so the culprit is entry 2 or 3.
  it.each([
    ["a bad scope", "viewer:admin:secret-a", 2],
    ["a bad name", "Viewer:read:secret-a", 2],
    ["an empty token", "viewer:read:", 2],
    ["a name used twice", "ci:write:secret-a,ci:read:secret-b", 3],
    ["a missing part", "viewer", 2],
    ["a bare token that looks like a name", "9f86d081884c7d659a2feaa0c55ad015", 2],
    ["one token under two names", "ci:write:secret-a,viewer:read:secret-a", 3],
    ["a token equal to ADMIN_TOKEN's", "ci:read:legacy-secret", 2],
    ["a token that starts with a space", "ci:write: secret-a", 2],
  ])(
    "with %s disables the admin API for every token, and names the entry in the log without the secret",
    async (_, tokens, entry) => {
      const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
      const call = adminWith({ ADMIN_TOKENS: `ok:write:good-secret,${tokens}`, ADMIN_TOKEN: "legacy-secret" });
      await problem(call("GET", "/experiments", "good-secret"), 503, "admin_disabled");
      await problem(call("GET", "/experiments", "legacy-secret"), 503, "admin_disabled");
      expect(errors).toHaveBeenCalledWith(expect.stringContaining("admin tokens are malformed"));
      expect(errors).toHaveBeenCalledWith(expect.stringContaining(`: entry ${entry}: `));
      const logged = JSON.stringify(errors.mock.calls);
      for (const secret of ["good-secret", "secret-a", "secret-b", "legacy-secret"])
        expect(logged).not.toContain(secret);
    },
  );
});

describe("a malformed ADMIN_TOKEN", () => {
  it.each([
    ["a leading space", " legacy-secret"],
    ["a trailing tab", "legacy-secret\t"],
  ])("with %s, which no request can present, disables the admin API", async (_, token) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const call = adminWith({ ADMIN_TOKENS: "ok:write:good-secret", ADMIN_TOKEN: token });
    await problem(call("GET", "/experiments", "good-secret"), 503, "admin_disabled");
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("ADMIN_TOKEN: the token starts or ends with a space"));
    expect(JSON.stringify(errors.mock.calls)).not.toContain("legacy-secret");
  });
});
