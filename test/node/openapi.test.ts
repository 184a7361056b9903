// The OpenAPI document is generated from src/api (npm run openapi): the committed
// copies are what the generator writes, and the document is valid OpenAPI 3.1.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const json = JSON.parse(readFileSync("docs/openapi.json", "utf8"));

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 by a maintained validator", async () => {
    const result = await new Validator().validate(json);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(json.openapi).toBe("3.1.0");
  });

  it("is committed exactly as npm run openapi writes it, as JSON and as YAML", () => {
    // Throws (exit 1) when either committed file differs from the generator's output.
    execFileSync(process.execPath, ["scripts/openapi.mjs", "--check"], { stdio: "pipe" });
    expect(parse(readFileSync("docs/openapi.yaml", "utf8"))).toEqual(json);
  });
});
