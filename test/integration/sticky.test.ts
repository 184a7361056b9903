// Repeat visitors answered at the edge: the isolate's sticky cache and the signed sticky
// token, counted in actor-object calls, with overrides still winning once published.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/edge/http/app";
import { MAX_TOKEN_CHARS, StickySigner } from "../../src/edge/sticky/token";
import { admin, BASE, callsOf, fiftyFifty, ok, publish, runningExperiment, unique } from "./helpers";

const SECRET = "sticky-secret-current";
const now = () => Math.floor(Date.now() / 1000);
const signed = { ...env, STICKY_SECRET: SECRET };

async function assign(
  app: ReturnType<typeof createApp>,
  path: string,
  headers: Record<string, string> = {},
  edge = env,
) {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`${BASE}${path}`, { headers }), edge, ctx);
  await waitOnExecutionContext(ctx);
  const body = (await response.json()) as { variant: string; is_override: boolean };
  return { response, body, actorCalls: callsOf(response).actor, token: response.headers.get("x-experiment-sticky") };
}

let name: string;
beforeAll(async () => {
  name = unique("sticky");
  await runningExperiment(name);
});

describe("the isolate's sticky cache", () => {
  it("answers a repeat visitor with no actor call, and the same variant", async () => {
    const app = createApp();
    const first = await assign(app, `/v1/assign/${name}?actor=cache-1`);
    const again = await assign(app, `/v1/assign/${name}?actor=cache-1`);
    expect([first.actorCalls, again.actorCalls]).toEqual([1, 0]);
    expect(again.body).toEqual(first.body);
    expect(again.response.headers.get("x-exposures")).toBe("1"); // an exposure, as from the object
  });

  it("is off with STICKY_CACHE_SIZE=0: every visit asks the actor's object", async () => {
    const app = createApp();
    const uncached = { ...env, STICKY_CACHE_SIZE: "0" };
    const calls = [];
    for (let i = 0; i < 3; i++)
      calls.push((await assign(app, `/v1/assign/${name}?actor=cache-2`, {}, uncached)).actorCalls);
    expect(calls).toEqual([1, 1, 1]);
  });

  it("forgets the least recently used answer beyond its size", async () => {
    const app = createApp();
    const small = { ...env, STICKY_CACHE_SIZE: "2" };
    for (const actor of ["lru-a", "lru-b", "lru-c"]) await assign(app, `/v1/assign/${name}?actor=${actor}`, {}, small);
    expect((await assign(app, `/v1/assign/${name}?actor=lru-c`, {}, small)).actorCalls).toBe(0);
    expect((await assign(app, `/v1/assign/${name}?actor=lru-a`, {}, small)).actorCalls).toBe(1);
  });

  it("lets an override published after caching win, and the cached variant come back after its removal", async () => {
    const app = createApp();
    const cached = await assign(app, `/v1/assign/${name}?actor=cache-3`);
    const other = cached.body.variant === "control" ? "treatment" : "control";
    await ok(admin("PUT", `/experiments/${name}/overrides/cache-3`, { variant: other }));
    await publish();
    const overridden = await assign(app, `/v1/assign/${name}?actor=cache-3`);
    expect(overridden.body).toEqual({ ...cached.body, variant: other, is_override: true });
    expect(overridden.actorCalls).toBe(1);
    await ok(admin("DELETE", `/experiments/${name}/overrides/cache-3`), 204);
    await publish();
    expect((await assign(app, `/v1/assign/${name}?actor=cache-3`)).body).toEqual(cached.body);
  });
});

describe("overrides and the sticky cache", () => {
  it("knows an override of an actor called __proto__", async () => {
    const app = createApp();
    const cached = await assign(app, `/v1/assign/${name}?actor=__proto__`);
    const other = cached.body.variant === "control" ? "treatment" : "control";
    await ok(admin("PUT", `/experiments/${name}/overrides/__proto__`, { variant: other }));
    await publish();
    expect((await assign(app, `/v1/assign/${name}?actor=__proto__`)).body).toMatchObject({
      variant: other,
      is_override: true,
    });
  });
});

describe("the signed sticky token", () => {
  it("is issued as the exp_sticky cookie and X-Experiment-Sticky, and answers any isolate with no actor call", async () => {
    const first = await assign(createApp(), `/v1/assign/${name}?actor=token-1`, {}, signed);
    expect(first.token).toMatch(/^v2\./);
    expect(first.response.headers.get("set-cookie")).toContain(
      `exp_sticky=${first.token}; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax`,
    );
    // A fresh app is a fresh isolate cache: only the token can answer.
    const viaCookie = await assign(
      createApp(),
      `/v1/assign/${name}?actor=token-1`,
      { cookie: `exp_sticky=${first.token}` },
      signed,
    );
    const viaHeader = await assign(
      createApp(),
      `/v1/assign/${name}?actor=token-1`,
      { "x-experiment-sticky": first.token ?? "" },
      signed,
    );
    expect([viaCookie.actorCalls, viaHeader.actorCalls]).toEqual([0, 0]);
    expect(viaCookie.body).toEqual(first.body);
    expect(viaHeader.token).toBeNull(); // nothing new to sign
  });

  it.each([
    // The isolate signed this payload, so its signature is remembered: compared, not recomputed.
    ["forged", async (token: string) => `${token.slice(0, -4)}AAAA`],
    [
      "forged, for answers this isolate never signed",
      async () =>
        `${(await new StickySigner(SECRET, undefined).sign("token-2", new Map([[name, "elsewhere"]]), now())).slice(0, -4)}AAAA`,
    ],
    [
      "for another actor",
      async () => new StickySigner(SECRET, undefined).sign("someone-else", new Map([[name, "x"]]), now()),
    ],
    [
      "signed with a retired secret",
      async () => new StickySigner("retired", undefined).sign("token-2", new Map([[name, "control"]]), now()),
    ],
    [
      "issued more than 30 days ago",
      async () =>
        new StickySigner(SECRET, undefined).sign("token-2", new Map([[name, "elsewhere"]]), now() - 31 * 86_400),
    ],
    [
      "of version 1 (no issue time)",
      async () => {
        const payload = btoa(JSON.stringify({ a: "token-2", s: { [name]: "elsewhere" } })).replace(/=+$/, "");
        return `v1.${payload}.${"A".repeat(43)}`;
      },
    ],
    ["malformed", async () => "v2.%%%.###"],
    ["too long", async () => `v2.${"a".repeat(MAX_TOKEN_CHARS)}.b`],
  ])("is ignored when %s: one actor call, the right answer, never an error", async (_, make) => {
    const truth = await assign(createApp(), `/v1/assign/${name}?actor=token-2`, {}, signed);
    const bad = await make(truth.token ?? "");
    const answer = await assign(
      createApp(),
      `/v1/assign/${name}?actor=token-2`,
      { "x-experiment-sticky": bad },
      signed,
    );
    expect(answer.response.status).toBe(200);
    expect(answer.actorCalls).toBe(1);
    expect(answer.body).toEqual(truth.body);
  });

  it("is ignored for another actor even after this isolate verified it for its own", async () => {
    const truth = await assign(createApp(), `/v1/assign/${name}?actor=token-owner`, {}, signed);
    const other = await assign(createApp(), `/v1/assign/${name}?actor=token-thief`, {}, signed);
    const app = createApp();
    const own = await assign(
      app,
      `/v1/assign/${name}?actor=token-owner`,
      { "x-experiment-sticky": truth.token ?? "" },
      signed,
    );
    // The same isolate, which now remembers the token and what it says, for someone else.
    const stolen = await assign(
      app,
      `/v1/assign/${name}?actor=token-thief`,
      { "x-experiment-sticky": truth.token ?? "" },
      signed,
    );
    expect([own.actorCalls, stolen.actorCalls]).toEqual([0, 1]);
    expect(stolen.body).toEqual(other.body);
  });

  it("accepts another base64url spelling of a valid signature, after this isolate signed the usual one", async () => {
    const truth = await assign(createApp(), `/v1/assign/${name}?actor=token-spelling`, {}, signed);
    const token = truth.token ?? "";
    // 32 bytes in 43 characters leave the last one's two low bits unused: flipping one keeps the bytes.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const respelled = token.slice(0, -1) + alphabet[alphabet.indexOf(token.slice(-1)) ^ 1];
    expect(respelled).not.toBe(token);
    const answer = await assign(
      createApp(),
      `/v1/assign/${name}?actor=token-spelling`,
      { "x-experiment-sticky": respelled },
      signed,
    );
    expect(answer.actorCalls).toBe(0);
    expect(answer.body).toEqual(truth.body);
  });

  it("accepts a token signed with STICKY_SECRET_PREVIOUS during a rotation", async () => {
    const old = await assign(
      createApp(),
      `/v1/assign/${name}?actor=token-3`,
      {},
      { ...env, STICKY_SECRET: "old-secret" },
    );
    const rotated = { ...env, STICKY_SECRET: "new-secret", STICKY_SECRET_PREVIOUS: "old-secret" };
    const answer = await assign(
      createApp(),
      `/v1/assign/${name}?actor=token-3`,
      { "x-experiment-sticky": old.token ?? "" },
      rotated,
    );
    expect(answer.actorCalls).toBe(0);
    expect(answer.body).toEqual(old.body);
    // Re-signed with the new secret, so it outlives the old one.
    const renewed = await assign(
      createApp(),
      `/v1/assign/${name}?actor=token-3`,
      { "x-experiment-sticky": answer.token ?? "" },
      { ...env, STICKY_SECRET: "new-secret" },
    );
    expect(renewed.actorCalls).toBe(0);
  });

  it("does not hide an override: an actor with one goes to its object", async () => {
    const first = await assign(createApp(), `/v1/assign/${name}?actor=token-4`, {}, signed);
    const other = first.body.variant === "control" ? "treatment" : "control";
    await ok(admin("PUT", `/experiments/${name}/overrides/token-4`, { variant: other }));
    await publish();
    const answer = await assign(
      createApp(),
      `/v1/assign/${name}?actor=token-4`,
      { "x-experiment-sticky": first.token ?? "" },
      signed,
    );
    expect(answer.body).toMatchObject({ variant: other, is_override: true });
    expect(answer.actorCalls).toBe(1);
  });

  it("carries several experiments, and a batch of known ones costs no actor call", async () => {
    const names = [unique("sticky-b1"), unique("sticky-b2")];
    for (const n of names) await ok(admin("PUT", `/experiments/${n}`, fiftyFifty), 201);
    for (const n of names) await ok(admin("POST", `/experiments/${n}/start`));
    await publish();
    const app = createApp();
    const post = (headers: Record<string, string>) =>
      app.fetch(
        new Request(`${BASE}/v1/assign`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ actor: "token-5", experiments: names }),
        }),
        { ...signed, STICKY_CACHE_SIZE: "0" },
        createExecutionContext(),
      );
    const first = await post({});
    const token = first.headers.get("x-experiment-sticky") ?? "";
    const again = await post({ "x-experiment-sticky": token });
    expect([callsOf(first).actor, callsOf(again).actor]).toEqual([1, 0]);
    expect(await again.json()).toEqual(await first.json());
  });
});

describe("the sticky token over RPC", () => {
  it("is returned as sticky_token and, passed back as options.stickyToken, answers with no actor call", async () => {
    const { ExperimentsRpc } = await import("../../src/edge/rpc");
    const { CallCounts, metered } = await import("../../src/edge/metering");
    const rpc = (counts: InstanceType<typeof CallCounts>) =>
      new ExperimentsRpc(createExecutionContext(), metered({ ...signed, STICKY_CACHE_SIZE: "0" }, counts));
    const first = new CallCounts();
    const answer = await rpc(first).assign(name, "rpc-token-1");
    expect(answer).toMatchObject({ ok: true, sticky_token: expect.stringMatching(/^v2\./) });
    const again = new CallCounts();
    const repeat = await rpc(again).assign(name, "rpc-token-1", { stickyToken: answer.sticky_token });
    expect([first.actor, again.actor]).toEqual([1, 0]);
    expect(repeat).toEqual({ ok: true, variant: (answer as { variant: string }).variant, is_override: false });
  });
});
