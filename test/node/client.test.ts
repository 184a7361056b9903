// The typed client without a Worker: what it sends (a fake fetch records it), how it
// reads answers and errors, its one retry after a 503 with Retry-After, its timeout, and
// that it follows the route table without carrying valibot into a bundle.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { afterEach, describe, expect, it, vi } from "vitest";
import { freePort } from "../../scripts/lib/wrangler-dev.mjs";
import { ROUTES } from "../../src/api/routes";
import {
  ApiError,
  CLIENT_ROUTES,
  ExperimentsClient,
  type FetchLike,
  InputError,
  MAX_RETRY_DELAY_MS,
  MAX_TIMEOUT_MS,
  NetworkError,
  winnerInForce,
} from "../../src/client";

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fake fetch answering from `answers` in turn (the last one repeats), recording every request. */
function fakeFetch(...answers: (() => Response)[]) {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    sent.push({ url, method: init.method, headers: init.headers, body: init.body });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)];
    if (answer === undefined) throw new Error("no answer");
    return answer();
  };
  return { fetch, sent };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const problem = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}) =>
  json(status, { type: `urn:edge-experiments:problem:${code}`, title: "t", status, code, detail, ...extra });

const CONFIG = {
  name: "checkout_v2",
  description: null,
  state: "draft",
  variants: [{ name: "control", weight: 1 }],
  winner: null,
  exclusion_group: null,
  targeting: [],
  coverage: 10_000,
  updated_at_secs: 1,
  started_at_secs: null,
};

function clientWith(fetch: FetchLike, options: Partial<ConstructorParameters<typeof ExperimentsClient>[0]> = {}) {
  return new ExperimentsClient({ baseUrl: "http://worker.test", token: "t0k", fetch, ...options });
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the winner in force", () => {
  it("is the config's winner only while the experiment is concluded, though a restarted one keeps it in its config", () => {
    expect(winnerInForce({ state: "concluded", winner: "b" })).toBe("b");
    for (const state of ["draft", "running", "archived"] as const) {
      expect(winnerInForce({ state, winner: "b" }), state).toBeNull();
    }
  });
});

describe("the client's route table", () => {
  it("has every route of src/api/routes.ts with the same method, path and access", () => {
    const expected = Object.fromEntries(
      Object.entries(ROUTES).map(([id, { method, path, access }]) => [id, { method, path, access }]),
    );
    expect(CLIENT_ROUTES).toEqual(expected);
  });

  it("bundles without valibot or the engine (type-only imports), small enough for a browser once compressed", async () => {
    const result = await build({
      entryPoints: ["src/client/index.ts"],
      bundle: true,
      format: "esm",
      platform: "neutral",
      minify: true,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => !path.startsWith("src/client/"))).toEqual([]);
    const bundle = result.outputFiles[0]?.contents ?? new Uint8Array();
    // What a browser downloads is the compressed bundle (about 3 KiB with every route's method).
    expect(gzipSync(bundle).length).toBeLessThan(4 * 1024);
    expect(bundle.length).toBeLessThan(12 * 1024);
  });
});

describe("what the client sends", () => {
  it("sends attributes as attr.<name>=<value>, and no credentials to a public route", async () => {
    const { fetch, sent } = fakeFetch(
      json(200, { experiment: "checkout_v2", actor: "user:1", variant: "control", is_override: false }),
    );
    const answer = await clientWith(fetch, { adminActor: "ops" }).assign("checkout_v2", {
      actor: "user:1",
      attributes: { plan: "pro", age: 40, beta: true },
    });
    expect(answer.variant).toBe("control");
    expect(sent[0]?.url).toBe(
      "http://worker.test/v1/assign/checkout_v2?actor=user%3A1&attr.plan=pro&attr.age=40&attr.beta=true",
    );
    expect(sent[0]?.headers.authorization).toBeUndefined();
    expect(sent[0]?.headers["x-admin-actor"]).toBeUndefined();
  });

  it("sends the bearer token and X-Admin-Actor to admin routes, and JSON bodies", async () => {
    const { fetch, sent } = fakeFetch(json(200, { experiment: "e", actor: "a", variant: "v" }));
    await clientWith(fetch, { adminActor: "ops@example.com" }).setOverride("e", "a", "v");
    expect(sent[0]).toMatchObject({
      method: "PUT",
      url: "http://worker.test/v1/admin/experiments/e/overrides/a",
      body: JSON.stringify({ variant: "v" }),
    });
    expect(sent[0]?.headers).toMatchObject({
      authorization: "Bearer t0k",
      "x-admin-actor": "ops@example.com",
      "content-type": "application/json",
    });
  });

  it("percent-encodes path segments, and keeps a base URL's path prefix", async () => {
    const { fetch, sent } = fakeFetch(json(200, { ...CONFIG }));
    await clientWith(fetch, { baseUrl: "https://proxy.test/experiments/" }).assignment("e", "qa:alice/x y?#");
    expect(sent[0]?.url).toBe(
      "https://proxy.test/experiments/v1/admin/experiments/e/assignments/qa%3Aalice%2Fx%20y%3F%23",
    );
  });

  it("sends history's limit as a query parameter, and leaves it out when not given", async () => {
    const { fetch, sent } = fakeFetch(json(200, { history: [] }));
    const client = clientWith(fetch);
    await client.history("e", { limit: 0 });
    await client.history("e");
    expect(sent.map((s) => s.url)).toEqual([
      "http://worker.test/v1/admin/experiments/e/history?limit=0",
      "http://worker.test/v1/admin/experiments/e/history",
    ]);
  });

  it.each([
    ["", "an empty actor"],
    [".", "actor '.'"],
    ["..", "actor '..'"],
  ])("refuses the actor %j in a path with an InputError, sending nothing", async (actor, what) => {
    const { fetch, sent } = fakeFetch(json(200, CONFIG));
    const client = clientWith(fetch);
    for (const call of [
      () => client.assignment("e", actor),
      () => client.setOverride("e", actor, "v"),
      () => client.removeOverride("e", actor),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({ parameter: "actor" });
      expect((error as Error).message).toMatch(new RegExp(`^${what} cannot be named in a URL path: `));
    }
    expect(sent).toEqual([]);
  });

  it("says that '.' and '..' are valid actor ids which only the admin routes' paths cannot carry", async () => {
    const error = await clientWith(fakeFetch(json(200, CONFIG)).fetch)
      .assignment("e", "..")
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "actor '..' cannot be named in a URL path: URL parsing resolves it as a dot segment, even percent-encoded, " +
        "so the request would reach another route. It is a valid actor id for assignment (the actor parameter, " +
        "X-Actor-Id), but no admin route can address it. Nothing was sent.",
    );
  });

  it("refuses an empty experiment name in a path too, and request() rejects the same way", async () => {
    const { fetch, sent } = fakeFetch(json(200, { experiments: [] }));
    const client = clientWith(fetch);
    await expect(client.get("")).rejects.toMatchObject({ name: "InputError", parameter: "name" });
    await expect(client.request("getExperiment", { params: { name: "." } })).rejects.toBeInstanceOf(InputError);
    expect(sent).toEqual([]);
  });

  it("sends segments that only look like dot segments, percent-encoded as they are", async () => {
    const { fetch, sent } = fakeFetch(json(200, CONFIG));
    const client = clientWith(fetch);
    for (const actor of ["...", ".x", "%2E%2E", " .."]) await client.assignment("e", actor);
    expect(sent.map((s) => s.url.slice("http://worker.test/v1/admin/experiments/e/assignments/".length))).toEqual([
      "...",
      ".x",
      "%252E%252E",
      "%20..",
    ]);
  });

  it("sends X-Admin-Actor and the token as their UTF-8 bytes, one byte per character, as the Worker reads them", async () => {
    const { fetch, sent } = fakeFetch(json(200, CONFIG));
    await clientWith(fetch, { adminActor: "José", token: "tøken" }).start("e");
    await clientWith(fetch, { adminActor: "ops 😀" }).start("e");
    await clientWith(fetch, { adminActor: "ops@example.com" }).start("e");
    expect(sent.map((s) => s.headers["x-admin-actor"])).toEqual([
      "Jos\u00c3\u00a9",
      "ops \u00f0\u009f\u0098\u0080",
      "ops@example.com",
    ]);
    expect(sent[0]?.headers.authorization).toBe("Bearer t\u00c3\u00b8ken");
    // What Node's fetch accepts, and writes as exactly those bytes.
    expect(() => new Headers(sent[1]?.headers)).not.toThrow();
  });

  it("sends header values as they are where fetch writes their UTF-8 itself (workerd)", async () => {
    // Told by the runtime's name (the real thing: test/integration/client-in-workerd.test.ts).
    vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" });
    const { fetch, sent } = fakeFetch(json(200, CONFIG));
    await clientWith(fetch, { adminActor: "ops 😀" }).start("e");
    expect(sent[0]?.headers["x-admin-actor"]).toBe("ops 😀");
  });

  it.each([
    [{ adminActor: "a\nb" }, "x-admin-actor"],
    [{ adminActor: "\ud800" }, "x-admin-actor"],
    [{ token: "a\rb" }, "authorization"],
    [{ headers: { "x-request-id": "a\u0000" } }, "x-request-id"],
    [{ headers: { "bad header": "x" } }, "bad header"],
  ])("refuses a header fetch cannot send (%j) with an InputError, not a NetworkError", async (options, parameter) => {
    const { fetch, sent } = fakeFetch(json(200, CONFIG));
    const error = await clientWith(fetch, options)
      .start("e")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ parameter });
    expect(sent).toEqual([]);
  });

  it("refuses a timeout that is not a whole number of milliseconds from 1 to MAX_TIMEOUT_MS", () => {
    for (const timeout of [0, -1, 1.5, Number.NaN, MAX_TIMEOUT_MS + 1]) {
      expect(() => new ExperimentsClient({ baseUrl: "http://worker.test", timeout })).toThrow(RangeError);
    }
    expect(() => new ExperimentsClient({ baseUrl: "http://worker.test", timeout: MAX_TIMEOUT_MS })).not.toThrow();
  });

  it("refuses a base that is not a URL before any request", () => {
    expect(() => new ExperimentsClient({ baseUrl: "not a url" })).toThrow(TypeError);
    expect(() => new ExperimentsClient({ baseUrl: "localhost:8787" })).toThrow("http: or https:");
  });
});

describe("what the client reads", () => {
  it("tells a created definition (201) from a replaced one (200)", async () => {
    const { fetch } = fakeFetch(json(201, CONFIG), json(200, CONFIG));
    const client = clientWith(fetch);
    expect(await client.define("checkout_v2", { variants: CONFIG.variants })).toEqual({
      config: CONFIG,
      created: true,
    });
    expect((await client.define("checkout_v2", { variants: CONFIG.variants })).created).toBe(false);
  });

  it("sends eraseActor as DELETE /v1/admin/actors/{actor} and resolves its 204 with nothing", async () => {
    const { fetch, sent } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(clientWith(fetch).eraseActor("user:1")).resolves.toBeUndefined();
    expect(sent.map((s) => [s.method, s.url])).toEqual([
      ["DELETE", expect.stringMatching(/\/v1\/admin\/actors\/user%3A1$/)],
    ]);
  });

  it("resolves removeOverride's 204 with nothing", async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(clientWith(fetch).removeOverride("e", "a")).resolves.toBeUndefined();
  });

  it("throws ApiError with the problem's status, code, detail and field errors", async () => {
    const errors = [{ pointer: "/variants/0/weight", detail: "must be a number" }];
    const { fetch } = fakeFetch(problem(400, "invalid_request", "the body is invalid", { errors }));
    const error = await clientWith(fetch)
      .define("e", { variants: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "invalid_request", detail: "the body is invalid", errors });
    expect((error as ApiError).message).toBe("invalid_request: the body is invalid");
  });

  it("throws ApiError without a code when the error answer is not a problem document", async () => {
    const { fetch } = fakeFetch(() => new Response("<html>Bad gateway</html>", { status: 502 }));
    const error = await clientWith(fetch)
      .list()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ApiError", status: 502, code: null, errors: [] });
    expect((error as ApiError).detail).toContain("Bad gateway");
  });

  it("answers request() with status, headers and body whatever the status, without throwing", async () => {
    const { fetch } = fakeFetch(problem(404, "not_found", "experiment 'ghost' not found", {}));
    const response = await clientWith(fetch).request("getExperiment", { params: { name: "ghost" } });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.body).toMatchObject({ code: "not_found" });
  });
});

describe("layers", () => {
  it("reads every layer at GET /v1/admin/layers", async () => {
    const layers = { layers: [{ name: "checkout", experiments: [], free: [[0, 10_000]] }] };
    const { fetch, sent } = fakeFetch(json(200, layers));
    expect(await clientWith(fetch).layers()).toEqual(layers);
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual(["GET http://worker.test/v1/admin/layers"]);
  });
});

describe("holdouts", () => {
  const HOLDOUT = {
    name: "h2026",
    description: null,
    coverage: 500,
    metrics: [],
    created_at_secs: 1,
    updated_at_secs: 1,
  };

  it("lists, reads and defines holdouts at their routes, telling a created holdout (201) from a replaced one", async () => {
    const { fetch, sent } = fakeFetch(
      json(200, { holdouts: [{ ...HOLDOUT, members: ["checkout_v2"] }] }),
      json(200, HOLDOUT),
      json(201, HOLDOUT),
      json(200, HOLDOUT),
    );
    const client = clientWith(fetch);
    expect((await client.holdouts()).holdouts[0]?.members).toEqual(["checkout_v2"]);
    expect(await client.holdout("h2026")).toEqual(HOLDOUT);
    const definition = { coverage: 500, metrics: [{ name: "purchase", kind: "conversion" }] };
    expect(await client.defineHoldout("h2026", definition)).toEqual({ holdout: HOLDOUT, created: true });
    expect(await client.defineHoldout("h2026", { coverage: 500 })).toEqual({ holdout: HOLDOUT, created: false });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "GET http://worker.test/v1/admin/holdouts",
      "GET http://worker.test/v1/admin/holdouts/h2026",
      "PUT http://worker.test/v1/admin/holdouts/h2026",
      "PUT http://worker.test/v1/admin/holdouts/h2026",
    ]);
    expect(sent[2]?.body).toBe(JSON.stringify(definition));
    expect(sent[2]?.headers).toMatchObject({ authorization: "Bearer t0k", "content-type": "application/json" });
  });

  it("resolves deleteHoldout's 204 with nothing, and throws holdout_in_use as an ApiError", async () => {
    const { fetch, sent } = fakeFetch(
      () => new Response(null, { status: 204 }),
      problem(409, "holdout_in_use", "holdout 'h2026' is named by experiment 'a'"),
    );
    const client = clientWith(fetch);
    await expect(client.deleteHoldout("h2026")).resolves.toBeUndefined();
    await expect(client.deleteHoldout("h2026")).rejects.toMatchObject({ status: 409, code: "holdout_in_use" });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "DELETE http://worker.test/v1/admin/holdouts/h2026",
      "DELETE http://worker.test/v1/admin/holdouts/h2026",
    ]);
  });

  it("sends the history's limit and the results' method and alpha (written without an exponent) as the query", async () => {
    const { fetch, sent } = fakeFetch(json(200, { history: [] }));
    const client = clientWith(fetch);
    await client.holdoutHistory("h2026", { limit: 0 });
    await client.holdoutHistory("h2026");
    await client.holdoutResults("h2026", { method: "fixed", alpha: 0.000_001 });
    await client.holdoutResults("h2026");
    expect(sent.map((s) => s.url)).toEqual([
      "http://worker.test/v1/admin/holdouts/h2026/history?limit=0",
      "http://worker.test/v1/admin/holdouts/h2026/history",
      "http://worker.test/v1/admin/holdouts/h2026/results?method=fixed&alpha=0.000001",
      "http://worker.test/v1/admin/holdouts/h2026/results",
    ]);
  });

  it("refuses a holdout name a URL path cannot carry, sending nothing", async () => {
    const { fetch, sent } = fakeFetch(json(200, HOLDOUT));
    const client = clientWith(fetch);
    await expect(client.holdout("..")).rejects.toMatchObject({ name: "InputError", parameter: "name" });
    await expect(client.deleteHoldout("")).rejects.toBeInstanceOf(InputError);
    expect(sent).toEqual([]);
  });
});

describe("webhooks", () => {
  const WEBHOOK = {
    name: "ops",
    url: "https://hooks.example.com/exp",
    events: ["experiment.concluded"],
    created_at_secs: 1,
    updated_at_secs: 2,
  };
  const SECRET = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0";

  it("lists subscriptions at GET /v1/admin/webhooks", async () => {
    const { fetch, sent } = fakeFetch(json(200, { webhooks: [WEBHOOK] }));
    expect(await clientWith(fetch).webhooks()).toEqual({ webhooks: [WEBHOOK] });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual(["GET http://worker.test/v1/admin/webhooks"]);
  });

  it("defines one with a PUT of its body, the secret apart and only from a creation (201)", async () => {
    const { fetch, sent } = fakeFetch(json(201, { ...WEBHOOK, secret: SECRET }), json(200, WEBHOOK));
    const client = clientWith(fetch, { adminActor: "ops@example.com" });
    const body = { url: WEBHOOK.url, events: ["experiment.concluded"] };
    expect(await client.defineWebhook("ops", body)).toEqual({ webhook: WEBHOOK, secret: SECRET, created: true });
    expect(await client.defineWebhook("ops", { url: WEBHOOK.url })).toEqual({
      webhook: WEBHOOK,
      secret: null,
      created: false,
    });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "PUT http://worker.test/v1/admin/webhooks/ops",
      "PUT http://worker.test/v1/admin/webhooks/ops",
    ]);
    expect(sent.map((s) => s.body)).toEqual([JSON.stringify(body), JSON.stringify({ url: WEBHOOK.url })]);
    expect(sent[0]?.headers).toMatchObject({
      authorization: "Bearer t0k",
      "x-admin-actor": "ops@example.com",
      "content-type": "application/json",
    });
  });

  it("throws the Worker's invalid_config for a URL it refuses, with the field's pointer", async () => {
    const { fetch } = fakeFetch(
      problem(422, "invalid_config", "webhook url must be https://", {
        errors: [{ pointer: "/url", detail: "must be https://" }],
      }),
    );
    const error = await clientWith(fetch)
      .defineWebhook("ops", { url: "http://hooks.example.com" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: "invalid_config", errors: [{ pointer: "/url" }] });
  });

  it("rotates with a POST, answering the new secret, and deletes with a DELETE (204: nothing; 404: ApiError)", async () => {
    const { fetch, sent } = fakeFetch(
      json(200, { ...WEBHOOK, secret: SECRET }),
      () => new Response(null, { status: 204 }),
      problem(404, "not_found", "webhook 'ops' not found"),
    );
    const client = clientWith(fetch);
    expect(await client.rotateWebhook("ops")).toEqual({ ...WEBHOOK, secret: SECRET });
    await expect(client.deleteWebhook("ops")).resolves.toBeUndefined();
    await expect(client.deleteWebhook("ops")).rejects.toMatchObject({ status: 404, code: "not_found" });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      "POST http://worker.test/v1/admin/webhooks/ops/rotate",
      "DELETE http://worker.test/v1/admin/webhooks/ops",
      "DELETE http://worker.test/v1/admin/webhooks/ops",
    ]);
    expect(sent[0]?.body).toBeUndefined();
  });

  it("refuses a webhook name a URL path cannot carry, sending nothing", async () => {
    const { fetch, sent } = fakeFetch(json(200, WEBHOOK));
    const client = clientWith(fetch);
    await expect(client.rotateWebhook("..")).rejects.toMatchObject({ name: "InputError", parameter: "name" });
    await expect(client.defineWebhook(".", { url: WEBHOOK.url })).rejects.toBeInstanceOf(InputError);
    await expect(client.deleteWebhook("")).rejects.toBeInstanceOf(InputError);
    expect(sent).toEqual([]);
  });
});

describe("schedules and the automatic stop", () => {
  it("sends a definition's schedule and auto_stop as given, and reads them back", async () => {
    const schedule = { start_at_secs: null, conclude_at_secs: 1_900_086_400, winner: "control" };
    const { fetch, sent } = fakeFetch(json(201, { ...CONFIG, schedule, auto_stop: true }));
    const definition = {
      variants: [{ name: "control", weight: 1 }],
      schedule: { conclude_at_secs: 1_900_086_400, winner: "control" },
      auto_stop: true,
    };
    const { config, created } = await clientWith(fetch).define("checkout_v2", definition);
    expect(created).toBe(true);
    expect(config).toMatchObject({ schedule, auto_stop: true });
    expect(JSON.parse(sent[0]?.body ?? "null")).toEqual(definition);
  });
});

describe("the one retry after a 503 with Retry-After", () => {
  const withRetryAfter = (value: string) => () => {
    const response = problem(503, "store_unavailable", "experiment store backend error: x")();
    response.headers.set("retry-after", value);
    return response;
  };

  it("sends the request once more after the delay, and answers with the second answer", async () => {
    const { fetch, sent } = fakeFetch(withRetryAfter("0"), json(200, { experiments: [] }));
    expect(await clientWith(fetch).list()).toEqual({ experiments: [] });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
  });

  it("waits as long as Retry-After says, at most MAX_RETRY_DELAY_MS", async () => {
    vi.useFakeTimers();
    const { fetch, sent } = fakeFetch(withRetryAfter("3600"), json(200, { experiments: [] }));
    const answer = clientWith(fetch).list();
    await vi.advanceTimersByTimeAsync(MAX_RETRY_DELAY_MS - 1);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    await expect(answer).resolves.toEqual({ experiments: [] });
  });

  it("reads Retry-After as an HTTP date too", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-11-26T00:00:00Z") });
    const { fetch, sent } = fakeFetch(withRetryAfter("Thu, 26 Nov 2026 00:00:02 GMT"), json(200, { experiments: [] }));
    const answer = clientWith(fetch).list();
    await vi.advanceTimersByTimeAsync(1999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toEqual({ experiments: [] });
  });

  it("retries once only: a second 503 is the answer", async () => {
    const { fetch, sent } = fakeFetch(withRetryAfter("0"));
    const error = await clientWith(fetch)
      .start("e")
      .catch((e: unknown) => e);
    expect(sent).toHaveLength(2);
    expect(error).toMatchObject({ status: 503, code: "store_unavailable" });
  });

  it("does not retry a 503 without Retry-After, nor with retry: false", async () => {
    const bare = fakeFetch(problem(503, "admin_disabled", "no ADMIN_TOKEN configured"));
    await expect(clientWith(bare.fetch).list()).rejects.toThrow(ApiError);
    expect(bare.sent).toHaveLength(1);
    const off = fakeFetch(withRetryAfter("0"), json(200, { experiments: [] }));
    await expect(clientWith(off.fetch, { retry: false }).list()).rejects.toMatchObject({ status: 503 });
    expect(off.sent).toHaveLength(1);
  });
});

describe("network failures", () => {
  it("reports what Node's own fetch could not send as InputError, never as unreachable", async () => {
    // Nothing listens there: a request that leaves fails as a NetworkError, ECONNREFUSED.
    const baseUrl = `http://127.0.0.1:${await freePort()}`;
    const broken = new ExperimentsClient({ baseUrl, adminActor: "a\nb" }).list();
    await expect(broken).rejects.toBeInstanceOf(InputError);
    // Outside Latin-1, Node's fetch refuses a header value ("Cannot convert argument to a
    // ByteString"); as UTF-8 bytes it goes out.
    const emoji = await new ExperimentsClient({ baseUrl, adminActor: "ops 😀" }).list().catch((e: unknown) => e);
    expect(emoji).toBeInstanceOf(NetworkError);
    expect((emoji as Error).message).toMatch(/fetch failed \(ECONNREFUSED\)$/);
  });

  it("throws NetworkError, not ApiError, when fetch fails", async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) });
    };
    const error = await clientWith(fetch)
      .list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ timedOut: false });
    expect((error as Error).message).toBe("GET http://worker.test/v1/admin/experiments: fetch failed (ECONNREFUSED)");
  });

  it("throws NetworkError with timedOut when no answer comes within the timeout", async () => {
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason)));
    const error = await clientWith(fetch, { timeout: 20 })
      .list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({
      timedOut: true,
      message: "GET http://worker.test/v1/admin/experiments: no answer within 20 ms",
    });
  });
});
