// docs/openapi.yaml describes the API the router actually serves: the same routes and
// methods, the same error codes. (The static assets serve it at /openapi.json:
// test/node/http.e2e.test.ts, against wrangler dev.)
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import spec from "../../docs/openapi.yaml?raw";
import { ERROR_CODES } from "../../src/api/problems";
import { createApp } from "../../src/edge/http/app";
import { call, TOKEN } from "./helpers";

type Spec = {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: { ErrorCode: { enum: string[] } } };
};
const document = parse(spec) as Spec;
const METHODS = ["get", "put", "post", "delete", "patch"];

/** "METHOD /path/{param}" for every route the Worker serves. */
function servedRoutes(): string[] {
  return createApp()
    .routes.map((route) => route.replace(/:(\w+)/g, "{$1}"))
    .sort();
}

function documentedRoutes(): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => METHODS.includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    )
    .sort();
}

/** A documented path with each `{param}` filled by a name that exists nowhere, so no probe changes anything. */
const probePath = (path: string) => path.replace(/\{(\w+)\}/g, (_, param: string) => `openapi-probe-${param}`);

/** The response's problem `detail`, if it is a problem document. */
async function detailOf(response: Response): Promise<unknown> {
  const text = await response.text();
  return response.headers.get("content-type") === "application/problem+json" ? JSON.parse(text).detail : undefined;
}

describe("docs/openapi.yaml", () => {
  it("documents exactly the routes the Worker serves", () => {
    expect(documentedRoutes()).toEqual(servedRoutes());
  });

  it("describes how the Worker answers: each documented method reaches a handler, any other is a 405", async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const unrouted = await detailOf(await call("GET", "/openapi-probe/nowhere", { headers }));
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const response = await call(method.toUpperCase(), probePath(path), { headers });
        const detail = await detailOf(response);
        let outcome = "handled";
        if (response.status === 405) outcome = "405";
        else if (response.status === 404 && String(detail).includes("static asset")) outcome = "a static asset's";
        else if (response.status === 404 && detail === unrouted) outcome = "no such route";
        outcomes.push(`${method.toUpperCase()} ${path}: ${outcome}`);
        const handled = path === "/openapi.json" ? "a static asset's" : "handled";
        expected.push(`${method.toUpperCase()} ${path}: ${method in item ? handled : "405"}`);
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it("lists exactly the error codes the Worker answers with", () => {
    expect([...document.components.schemas.ErrorCode.enum].sort()).toEqual([...ERROR_CODES].sort());
  });
});
