// Every HTTP method gets a 4xx or the route's answer (HEAD is GET without the body,
// OPTIONS lists the methods), and pages on the origins in CORS_ORIGINS may call the
// public assignment routes with credentials, while other origins and the admin routes
// get no CORS headers at all.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/edge/http/app";
import { BASE, call, ok, problem, runningExperiment, TOKEN, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

const SHOP = "https://shop.example.com";
const LOCAL = "http://localhost:5173";

let experiment: string;
beforeAll(async () => {
  experiment = unique("cors");
  await runningExperiment(experiment);
});

describe("methods", () => {
  it("answers HEAD on a GET route as the GET, without the body", async () => {
    const get = await call("GET", `/v1/assign/${experiment}?actor=head-1`);
    const head = await call("HEAD", `/v1/assign/${experiment}?actor=head-1`);
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
    expect(await head.text()).toBe("");
  });

  it("answers HEAD on an admin GET route behind the same token check", async () => {
    expect((await call("HEAD", `/v1/admin/experiments/${experiment}`)).status).toBe(401);
    const head = await call("HEAD", `/v1/admin/experiments/${experiment}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it.each([
    ["/v1/assign", "POST, OPTIONS"],
    [`/v1/assign/${"x"}`, "GET, HEAD, OPTIONS"],
    ["/v1/admin/experiments/x", "GET, PUT, HEAD, OPTIONS"],
    ["/openapi.json", "GET, HEAD, OPTIONS"],
  ])("answers OPTIONS %s with 204 and Allow: %s", async (path, allowed) => {
    const response = await call("OPTIONS", path);
    expect(response.status).toBe(204);
    expect(response.headers.get("allow")).toBe(allowed);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers OPTIONS on an unknown path with 404", async () => {
    await problem(call("OPTIONS", "/v1/nothing"), 404, "not_found");
  });

  it.each(["PATCH", "LOCK", "PROPFIND"])("answers %s on a known path with 405 and Allow", async (method) => {
    const response = await call(method, `/v1/assign/${experiment}`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });
});

/** The Worker with `CORS_ORIGINS` set. */
function corsApp(origins: string | undefined) {
  const app = createApp();
  return (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    app.fetch(
      new Request(`${BASE}${path}`, { method, headers, body }),
      { ...env, CORS_ORIGINS: origins },
      createExecutionContext(),
    );
}

const preflight = (origin: string, method: string, headers = "content-type, x-actor-id") => ({
  origin,
  "access-control-request-method": method,
  "access-control-request-headers": headers,
});

describe("CORS on the public assignment and tracking routes", () => {
  const fetch = corsApp(` ${SHOP}, ${LOCAL}/ ,`);

  it("answers a listed origin's preflight with the methods, headers and credentials it may use", async () => {
    for (const [path, method, methods] of [
      ["/v1/assign", "POST", "POST"],
      ["/v1/track", "POST", "POST"],
      [`/v1/assign/${experiment}`, "GET", "GET"],
    ] as const) {
      const response = await fetch("OPTIONS", path, preflight(SHOP, method));
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
      expect(response.headers.get("access-control-allow-credentials")).toBe("true");
      expect(response.headers.get("access-control-allow-methods")).toBe(methods);
      expect(response.headers.get("access-control-allow-headers")).toContain("x-actor-id");
      expect(response.headers.get("access-control-allow-headers")).toContain("content-type");
      expect(response.headers.get("vary")).toContain("Origin");
    }
    // A trailing slash in the list names the same origin.
    const local = await fetch("OPTIONS", "/v1/assign", preflight(LOCAL, "POST"));
    expect(local.headers.get("access-control-allow-origin")).toBe(LOCAL);
  });

  it("refuses a preflight for a method the route does not take: no methods allowed", async () => {
    const response = await fetch("OPTIONS", "/v1/assign", preflight(SHOP, "DELETE"));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-methods")).toBeNull();
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
  });

  it("gives an unlisted origin no CORS headers", async () => {
    for (const response of [
      await fetch("OPTIONS", "/v1/assign", preflight("https://evil.example", "POST")),
      await fetch("OPTIONS", "/v1/assign", preflight(`${SHOP}.evil.example`, "POST")),
      await fetch("OPTIONS", "/v1/assign", preflight("null", "POST")),
    ]) {
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      expect(response.headers.get("vary")).toContain("Origin");
    }
  });

  it("never answers another origin on an admin route", async () => {
    const response = await fetch("OPTIONS", "/v1/admin/experiments", preflight(SHOP, "GET", "authorization"));
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const get = await fetch("GET", "/v1/admin/experiments", { origin: SHOP, authorization: `Bearer ${TOKEN}` });
    expect(get.status).toBe(200);
    expect(get.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets a listed origin read the answer, errors included, and gives its cookies SameSite=None", async () => {
    const response = await fetch("GET", `/v1/assign/${experiment}`, { origin: SHOP });
    const body = await ok<{ actor: string }>(response);
    expect(response.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-expose-headers")).toContain("x-request-id");
    expect(response.headers.get("vary")).toContain("Origin");
    expect(response.headers.get("set-cookie")).toBe(
      `exp_actor=${encodeURIComponent(body.actor)}; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=None`,
    );
    const error = await fetch("POST", "/v1/assign", { origin: SHOP, "content-type": "text/plain" }, "{}");
    await problem(error, 415, "unsupported_media_type");
    expect(error.headers.get("access-control-allow-origin")).toBe(SHOP);
  });

  it("gives every answer SameSite=None cookies while origins are listed, and no CORS headers to others", async () => {
    for (const headers of [{ origin: "https://evil.example" }, {}] as Record<string, string>[]) {
      const response = await fetch("GET", `/v1/assign/${experiment}`, headers);
      await ok(response);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(response.headers.get("set-cookie")).toContain("SameSite=None");
      expect(response.headers.get("vary")).toContain("Origin");
    }
  });

  it("neither reads nor sets cookies for a cross-site request from an unlisted origin (an <img> elsewhere)", async () => {
    const cookie = `exp_actor=${encodeURIComponent("visitor:1")}`;
    const elsewhere = await fetch("GET", `/v1/assign/${experiment}`, { cookie, "sec-fetch-site": "cross-site" });
    const body = await ok<{ actor: string }>(elsewhere);
    expect(body.actor).toMatch(/^anon:/);
    expect(elsewhere.headers.get("set-cookie")).toBeNull();
    const listed = await fetch("GET", `/v1/assign/${experiment}`, {
      cookie,
      "sec-fetch-site": "cross-site",
      origin: SHOP,
    });
    expect((await ok<{ actor: string }>(listed)).actor).toBe("visitor:1");
    const home = await fetch("GET", `/v1/assign/${experiment}`, { cookie, "sec-fetch-site": "same-origin" });
    expect((await ok<{ actor: string }>(home)).actor).toBe("visitor:1");
  });
});

describe("CORS_ORIGINS", () => {
  it("unset, allows no origin, adds no CORS header, and keeps the cookies SameSite=Lax", async () => {
    const response = await corsApp(undefined)("OPTIONS", "/v1/assign", preflight(SHOP, "POST"));
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const answer = await corsApp(undefined)("GET", `/v1/assign/${experiment}`, { origin: SHOP });
    await ok(answer);
    expect(answer.headers.get("vary")).toBeNull();
    expect(answer.headers.get("set-cookie")).toContain("SameSite=Lax");
  });

  it.each([
    ["a wildcard", "*"],
    ["a path", `${SHOP}/app`],
    ["no scheme", "shop.example.com"],
    ["another scheme", "ftp://shop.example.com"],
    ["credentials", "https://user@shop.example.com"],
  ])("with %s, is void as a whole (logged once) and allows no origin", async (_, entry) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await corsApp(`${SHOP},${entry}`)("OPTIONS", "/v1/assign", preflight(SHOP, "POST"));
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("CORS_ORIGINS is malformed"));
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("entry 2"));
  });
});
