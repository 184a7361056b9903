// docs/openapi.yaml describes the API the router actually serves: the same routes and
// methods, the same error codes.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import spec from "../../docs/openapi.yaml?raw";
import { createApp } from "../../src/edge/app";
import { PROBLEM_CODES } from "../../src/edge/problems";

type Spec = {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: { ErrorCode: { enum: string[] } } };
};
const document = parse(spec) as Spec;
const METHODS = ["get", "put", "post", "delete", "patch"];

/** "METHOD /path/{param}" for every route the router serves (not its 405 catch-alls). */
function servedRoutes(): string[] {
  const routes = createApp().routes as unknown as [string, RegExp, unknown[], string][];
  return routes
    .filter(([method]) => method !== "ALL")
    .map(([method, , , path]) => `${method} ${path.replace(/:(\w+)/g, "{$1}")}`)
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

describe("docs/openapi.yaml", () => {
  it("documents exactly the routes the Worker serves", () => {
    expect(documentedRoutes()).toEqual(servedRoutes());
    expect(servedRoutes()).toHaveLength(14);
  });

  it("lists exactly the error codes the Worker answers with", () => {
    expect([...document.components.schemas.ErrorCode.enum].sort()).toEqual([...PROBLEM_CODES].sort());
  });
});
