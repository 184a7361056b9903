// The typed client without a Worker: what it sends (a fake fetch records it), how it
// reads answers and errors, its one retry after a 503 with Retry-After, its timeout, and
// that it follows the route table without carrying valibot into a bundle.
import { build } from "esbuild";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ROUTES } from "../../src/api/routes";
import {
  ApiError,
  CLIENT_ROUTES,
  ExperimentsClient,
  type FetchLike,
  MAX_RETRY_DELAY_MS,
  NetworkError,
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
});

describe("the client's route table", () => {
  it("has every route of src/api/routes.ts with the same method, path and access", () => {
    const expected = Object.fromEntries(
      Object.entries(ROUTES).map(([id, { method, path, access }]) => [id, { method, path, access }]),
    );
    expect(CLIENT_ROUTES).toEqual(expected);
  });

  it("bundles without valibot or the engine (type-only imports), small enough for a browser", async () => {
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
    expect(result.outputFiles[0]?.contents.length).toBeLessThan(8 * 1024);
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
