// Targeting and coverage over HTTP: caller attributes from the query and the batch
// body, request.cf facts, the coverage ramp route, and what each costs.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { experimentBucket, selectVariant } from "../../src/core";
import { admin, BASE, call, callsOf, fiftyFifty, ok, problem, publish, unique } from "./helpers";

const proOnly = {
  ...fiftyFifty,
  targeting: [{ attribute: "plan", operator: "in", values: ["pro"] }],
};

async function running(definition: object): Promise<string> {
  const name = unique("target");
  await ok(admin("PUT", `/experiments/${name}`, definition), 201);
  await ok(admin("POST", `/experiments/${name}/start`));
  await publish();
  return name;
}

/** A GET assignment as it arrives at the edge from a visitor in `country`. */
function fromCountry(path: string, country: string) {
  return exports.default.fetch(new Request(`${BASE}${path}`, { cf: { country, continent: "EU" } } as RequestInit));
}

describe("targeting over HTTP", () => {
  it("reads attr.* query parameters: a match is enrolled, a miss is 409 not_eligible with no exposure and nothing stored", async () => {
    const name = await running(proOnly);
    const enrolled = await call("GET", `/v1/assign/${name}?actor=u1&attr.plan=pro`);
    expect(enrolled.status).toBe(200);
    expect(callsOf(enrolled).actor).toBe(1);
    const refused = await call("GET", `/v1/assign/${name}?actor=u2&attr.plan=free`);
    const { body } = await problem(refused, 409, "not_eligible");
    expect(body.detail).toContain("targeting[0] (plan in)");
    expect(refused.headers.get("x-exposures")).toBe("0");
    expect(callsOf(refused).actor).toBe(1); // the object is still asked: it may hold a sticky assignment
    await problem(admin("GET", `/experiments/${name}/assignments/u2`), 404, "not_found");
  });

  it("reads the batch body's attributes, numbers and booleans by their JSON text", async () => {
    const name = await running({
      ...fiftyFifty,
      targeting: [
        { attribute: "age_days", operator: "num_gte", values: ["30"] },
        { attribute: "beta", operator: "in", values: ["true"] },
      ],
    });
    const batch = (actor: string, attributes: object) =>
      ok<{ assignments: Record<string, { variant?: string; error?: { code: string } }> }>(
        call("POST", "/v1/assign", { body: { actor, experiments: [name], attributes } }),
      );
    const bucketed = selectVariant(fiftyFifty.variants, experimentBucket(name, "b1"));
    expect((await batch("b1", { age_days: 40, beta: true })).assignments[name]?.variant).toBe(bucketed);
    expect((await batch("b2", { age_days: 3, beta: true })).assignments[name]?.error?.code).toBe("not_eligible");
    expect((await batch("b3", { age_days: 40, beta: false })).assignments[name]?.error?.code).toBe("not_eligible");
  });

  it("keeps an enrolled actor when its attributes change, and keeps new non-matching actors out", async () => {
    const name = await running(proOnly);
    const first = await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=keep&attr.plan=pro`));
    const later = await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=keep&attr.plan=free`));
    expect(later.variant).toBe(first.variant);
    await problem(call("GET", `/v1/assign/${name}?actor=never&attr.plan=free`), 409, "not_eligible");
  });

  it("targets request.cf's country, and a caller's own country attribute wins over it", async () => {
    const name = await running({
      ...fiftyFifty,
      targeting: [{ attribute: "country", operator: "in", values: ["DE", "AT"] }],
    });
    expect((await fromCountry(`/v1/assign/${name}?actor=c1`, "DE")).status).toBe(200);
    await problem(fromCountry(`/v1/assign/${name}?actor=c2`, "US"), 409, "not_eligible");
    // A server in the US forwarding its visitor's country.
    expect((await fromCountry(`/v1/assign/${name}?actor=c3&attr.country=AT`, "US")).status).toBe(200);
    await problem(fromCountry(`/v1/assign/${name}?actor=c4&attr.country=US`, "DE"), 409, "not_eligible");
  });

  it("lets overrides through whatever targeting and coverage say", async () => {
    const name = await running({ ...proOnly, coverage: 0 });
    await ok(admin("PUT", `/experiments/${name}/overrides/qa:1`, { variant: "treatment" }));
    expect(await ok(call("GET", `/v1/assign/${name}?actor=qa:1`))).toMatchObject({ variant: "treatment" });
  });
});

describe("coverage over HTTP", () => {
  it("PUT …/coverage ramps a running experiment, shown by reads and recorded as coverage=N", async () => {
    const name = await running({ ...fiftyFifty, coverage: 0 });
    await problem(call("GET", `/v1/assign/${name}?actor=r1`), 409, "not_eligible");
    const config = await ok<{ coverage: number }>(admin("PUT", `/experiments/${name}/coverage`, { coverage: 10_000 }));
    expect(config.coverage).toBe(10_000);
    await publish();
    expect((await call("GET", `/v1/assign/${name}?actor=r1`)).status).toBe(200);
    expect(await ok(admin("GET", `/experiments/${name}/history?limit=1`))).toMatchObject({
      history: [{ mutation: "coverage=10000" }],
    });
  });

  it("is refused on a concluded experiment (409) and out of range (422), changing nothing", async () => {
    const name = await running({ ...fiftyFifty, coverage: 2500 });
    await problem(admin("PUT", `/experiments/${name}/coverage`, { coverage: 10_001 }), 422, "invalid_config");
    await problem(admin("PUT", `/experiments/${name}/coverage`, { coverage: "half" }), 400, "invalid_request");
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "control" }));
    await problem(admin("PUT", `/experiments/${name}/coverage`, { coverage: 5000 }), 409, "not_running");
    expect(await ok(admin("GET", `/experiments/${name}`))).toMatchObject({ coverage: 2500 });
  });
});

describe("bad attributes and targeting", () => {
  const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, "x"]));
  it.each([
    ["51 attributes", { attributes: tooMany }],
    ["a bad attribute name", { attributes: { "no spaces": "x" } }],
    ["a 257-character value", { attributes: { plan: "😀".repeat(257) } }],
    ["an object value", { attributes: { plan: { nested: true } } }],
    ["attributes that are not an object", { attributes: ["plan"] }],
  ])("a batch with %s is 400 invalid_request", async (_, extra) => {
    await problem(call("POST", "/v1/assign", { body: { actor: "u", ...extra } }), 400, "invalid_request");
  });

  // JSON.parse keeps "__proto__" as an ordinary key, as a request body's parser does.
  it.each(["__proto__", "constructor", "prototype"])(
    "an attribute named %s is 400 invalid_request naming it, in a batch body and a query",
    async (reserved) => {
      const name = await running(fiftyFifty);
      const body = JSON.parse(`{"actor":"u","experiments":["${name}"],"attributes":{"${reserved}":"x"}}`);
      const batch = await problem(call("POST", "/v1/assign", { body }), 400, "invalid_request");
      expect(batch.body.detail).toContain(`'${reserved}' is a reserved attribute name`);
      const query = await problem(call("GET", `/v1/assign/${name}?actor=u&attr.${reserved}=x`), 400, "invalid_request");
      expect(query.body.detail).toContain(`'${reserved}' is a reserved attribute name`);
      // Refused before anything was assigned.
      await problem(admin("GET", `/experiments/${name}/assignments/u`), 404, "not_found");
    },
  );

  it("a repeated attr.* query parameter is 400 invalid_request", async () => {
    await problem(call("GET", "/v1/assign/anything?actor=u&attr.plan=a&attr.plan=b"), 400, "invalid_request");
  });

  it("256 four-byte characters are a valid attribute value", async () => {
    const name = await running(fiftyFifty);
    await ok(call("GET", `/v1/assign/${name}?actor=u&attr.plan=${encodeURIComponent("😀".repeat(256))}`));
  });

  it.each([
    ["an unknown operator", [{ attribute: "plan", operator: "regex", values: ["."] }], 422, "invalid_config"],
    ["a bad semver value", [{ attribute: "v", operator: "semver_gt", values: ["2.x"] }], 422, "invalid_config"],
    ["a bad number value", [{ attribute: "n", operator: "num_gt", values: ["ten"] }], 422, "invalid_config"],
    ["values that are not strings", [{ attribute: "n", operator: "in", values: [1] }], 400, "invalid_request"],
    [
      "an unknown condition field",
      [{ attribute: "n", operator: "in", values: ["1"], not: true }],
      400,
      "invalid_request",
    ],
    [
      "a condition on a reserved attribute name",
      [{ attribute: "constructor", operator: "exists", values: [] }],
      422,
      "invalid_config",
    ],
    [
      "21 conditions",
      Array.from({ length: 21 }, () => ({ attribute: "a", operator: "exists", values: [] })),
      422,
      "invalid_config",
    ],
  ])("a definition with %s is refused and nothing is created", async (_, targeting, status, code) => {
    const name = unique("bad-target");
    await problem(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, targeting }), status, code);
    await problem(admin("GET", `/experiments/${name}`), 404, "not_found");
  });
});
