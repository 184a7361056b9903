// No input can cause a 5xx: random methods, paths, bodies and headers against the real
// Worker, authenticated or not, with experiments in every state present.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, call, fiftyFifty, ok, publish, TOKEN } from "./helpers";

const NAMES = ["fz-running", "fz-draft", "fz-concluded", "fz-archived"];

const segment = fc.oneof(
  fc.constantFrom(...NAMES, "ghost", "user:1", "qa%3A1", "%", "%E0%A4%A", "..", "a".repeat(200), ""),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.string({ unit: "grapheme", maxLength: 10 }).map(encodeURIComponent),
);
const path = fc.oneof(
  fc.tuple(segment, fc.option(segment)).map(([e, a]) => `/v1/assign/${e}${a === null ? "" : `?actor=${a}`}`),
  fc.constant("/v1/assign"),
  fc.constantFrom("/v1/admin/experiments", "/", "/v1", "/v1/admin"),
  fc
    .tuple(
      segment,
      fc.constantFrom(
        "",
        "/start",
        "/conclude",
        "/archive",
        "/weights",
        "/history",
        "/overrides",
        "/history?limit=-1",
        "/history?limit=99999999999",
      ),
    )
    .map(([e, tail]) => `/v1/admin/experiments/${e}${tail}`),
  fc
    .tuple(segment, segment, fc.constantFrom("overrides", "assignments"))
    .map(([e, a, kind]) => `/v1/admin/experiments/${e}/${kind}/${a}`),
);
const variant = fc.record(
  {
    name: fc.oneof(fc.constantFrom("control", "treatment", ""), fc.string({ maxLength: 70 })),
    weight: fc.oneof(fc.integer(), fc.double(), fc.constant(4_294_967_296), fc.string()),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 50 }),
  fc.record(
    {
      actor: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
      experiments: fc.oneof(
        fc.array(fc.oneof(fc.constantFrom(...NAMES), fc.string()), { maxLength: 120 }),
        fc.string(),
      ),
      variants: fc.oneof(fc.array(variant, { maxLength: 105 }), fc.jsonValue()),
      description: fc.oneof(fc.string({ maxLength: 1100 }), fc.constant(null), fc.integer()),
      exclusion_group: fc.oneof(fc.constantFrom("g", "bad group", ""), fc.constant(null)),
      winner: fc.oneof(fc.constantFrom("control", "nope"), fc.integer()),
      variant: fc.oneof(fc.constantFrom("control", "treatment", "nope"), fc.integer()),
    },
    { requiredKeys: [] },
  ),
);
const headers = fc.record(
  {
    authorization: fc.constantFrom(`Bearer ${TOKEN}`, "Bearer wrong", "Basic x", ""),
    "x-actor-id": fc.string({ maxLength: 300 }),
    cookie: fc.string({ maxLength: 100 }).map((v) => `exp_actor=${v}`),
    "x-request-id": fc.string({ maxLength: 200 }),
    "x-admin-actor": fc.string({ maxLength: 200 }),
  },
  { requiredKeys: [] },
);

describe("fuzzing the HTTP API", () => {
  beforeAll(async () => {
    for (const name of NAMES) await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    for (const name of ["fz-running", "fz-concluded", "fz-archived"])
      await ok(admin("POST", `/experiments/${name}/start`));
    await ok(admin("POST", "/experiments/fz-concluded/conclude", { winner: "treatment" }));
    await ok(admin("POST", "/experiments/fz-archived/archive"));
    await publish();
  });

  it("never answers with a 5xx, and every error is a problem document", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
        path,
        body,
        headers,
        async (method, p, b, h) => {
          const sendsBody = b !== undefined && method !== "GET" && method !== "HEAD";
          const response = await call(method, p, { body: sendsBody ? b : undefined, headers: h });
          const text = await response.text();
          expect(response.status, `${method} ${p} → ${text}`).toBeLessThan(500);
          if (response.status >= 400 && method !== "HEAD") {
            expect(response.headers.get("content-type")).toBe("application/problem+json");
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
