// Bad input: every malformed request gets its documented 4xx problem, none a 5xx, and
// afterwards the whole observable state is exactly what it was.
import { beforeAll, describe, expect, it } from "vitest";
import { admin, call, fiftyFifty, ok, publish, TOKEN } from "./helpers";
import { observableState } from "./state";

const RUNNING = "err-running";
const DRAFT = "err-draft";
const CONCLUDED = "err-concluded";
const ARCHIVED = "err-archived";
const EXPERIMENTS = [RUNNING, DRAFT, CONCLUDED, ARCHIVED];
const ACTORS = ["user:1", "qa:1", "nobody"];

type Case = [description: string, request: () => Promise<Response>, status: number, code: string];

const bearer = { authorization: `Bearer ${TOKEN}` };
const huge = JSON.stringify({ actor: "x".repeat(70_000) });
const put = (body: unknown, name = "err-new") => admin("PUT", `/experiments/${name}`, body);
const variants = (...list: unknown[]) => ({ variants: list });

const cases: Case[] = [
  // Assignment routes
  ["an experiment name with a colon", () => call("GET", "/v1/assign/bad:name?actor=u"), 400, "invalid_request"],
  ["a malformed percent-encoding", () => call("GET", "/v1/assign/%E0%A4%A?actor=u"), 400, "invalid_request"],
  ["an empty actor", () => call("GET", `/v1/assign/${RUNNING}?actor=`), 400, "invalid_request"],
  ["a 257-byte actor", () => call("GET", `/v1/assign/${RUNNING}?actor=${"é".repeat(129)}`), 400, "invalid_request"],
  ["an actor with a control character", () => call("GET", `/v1/assign/${RUNNING}?actor=a%00b`), 400, "invalid_request"],
  [
    "an empty X-Actor-Id",
    () => call("GET", `/v1/assign/${RUNNING}`, { headers: { "x-actor-id": "" } }),
    400,
    "invalid_request",
  ],
  [
    // The runtime turns bytes that are not UTF-8 (\xFF, \xC3) into U+FFFD: one actor for all of them.
    "an X-Actor-Id whose bytes were not UTF-8",
    () => call("GET", `/v1/assign/${RUNNING}`, { headers: { "x-actor-id": "user:\uFFFD" } }),
    400,
    "invalid_request",
  ],
  ["an actor given twice", () => call("GET", `/v1/assign/${RUNNING}?actor=a&actor=b`), 400, "invalid_request"],
  [
    "an actor that is not valid percent-encoded UTF-8",
    () => call("GET", `/v1/assign/${RUNNING}?actor=%ED%A0%80`),
    400,
    "invalid_request",
  ],
  [
    "a query parameter name that is not valid percent-encoded UTF-8",
    () => call("GET", `/v1/assign/${RUNNING}?actor=u&attr.%FF=1`),
    400,
    "invalid_request",
  ],
  ["an actor in the batch's query", () => call("POST", "/v1/assign?actor=u", { body: {} }), 400, "invalid_request"],
  [
    "an attribute in the batch's query",
    () => call("POST", "/v1/assign?attr.country=DE", { body: { actor: "u" } }),
    400,
    "invalid_request",
  ],
  [
    "an attribute beyond a double's range",
    () => call("POST", "/v1/assign", { body: '{"actor":"u","attributes":{"age":1e400}}' }),
    400,
    "invalid_request",
  ],
  ["an unknown experiment", () => call("GET", "/v1/assign/ghost?actor=u"), 404, "not_found"],
  ["a draft experiment", () => call("GET", `/v1/assign/${DRAFT}?actor=u`), 409, "not_running"],
  ["an archived experiment", () => call("GET", `/v1/assign/${ARCHIVED}?actor=u`), 409, "archived"],
  ["a batch body that is not JSON", () => call("POST", "/v1/assign", { body: "{nope" }), 400, "invalid_request"],
  ["a batch body that is an array", () => call("POST", "/v1/assign", { body: [] }), 400, "invalid_request"],
  ["a batch with no body", () => call("POST", "/v1/assign"), 400, "invalid_request"],
  ["a numeric batch actor", () => call("POST", "/v1/assign", { body: { actor: 5 } }), 400, "invalid_request"],
  [
    "experiments as a string",
    () => call("POST", "/v1/assign", { body: { actor: "u", experiments: "x" } }),
    400,
    "invalid_request",
  ],
  [
    "a numeric experiment name",
    () => call("POST", "/v1/assign", { body: { actor: "u", experiments: [1] } }),
    400,
    "invalid_request",
  ],
  [
    "a bad experiment name in a batch",
    () => call("POST", "/v1/assign", { body: { actor: "u", experiments: ["a b"] } }),
    400,
    "invalid_request",
  ],
  [
    "101 experiments in a batch",
    () =>
      call("POST", "/v1/assign", { body: { actor: "u", experiments: Array.from({ length: 101 }, (_, i) => `e${i}`) } }),
    400,
    "invalid_request",
  ],
  [
    "an unknown batch field",
    () => call("POST", "/v1/assign", { body: { actor: "u", extra: 1 } }),
    400,
    "invalid_request",
  ],
  ["a batch body over 64 KiB", () => call("POST", "/v1/assign", { body: huge }), 413, "payload_too_large"],
  ["DELETE on the batch route", () => call("DELETE", "/v1/assign"), 405, "method_not_allowed"],
  ["PUT on the single route", () => call("PUT", `/v1/assign/${RUNNING}`), 405, "method_not_allowed"],
  ["an unknown route", () => call("GET", "/v2/nothing"), 404, "not_found"],
  ["the root", () => call("GET", "/"), 404, "not_found"],
  // Admin authentication
  ["an admin request without a token", () => call("GET", "/v1/admin/experiments"), 401, "unauthorized"],
  [
    "a wrong token",
    () => call("GET", "/v1/admin/experiments", { headers: { authorization: "Bearer wrong" } }),
    401,
    "unauthorized",
  ],
  [
    "a Basic credential",
    () => call("GET", "/v1/admin/experiments", { headers: { authorization: `Basic ${TOKEN}` } }),
    401,
    "unauthorized",
  ],
  [
    "a wrong token on a mutation",
    () => call("POST", `/v1/admin/experiments/${RUNNING}/archive`, { headers: { authorization: "Bearer x" } }),
    401,
    "unauthorized",
  ],
  // Admin definitions
  ["variants that are not an array", () => put({ variants: "a" }), 400, "invalid_request"],
  ["no variants", () => put(variants()), 422, "invalid_config"],
  [
    "duplicate variants",
    () => put(variants({ name: "a", weight: 1 }, { name: "a", weight: 1 })),
    422,
    "invalid_config",
  ],
  ["a negative weight", () => put(variants({ name: "a", weight: -1 })), 422, "invalid_config"],
  ["a fractional weight", () => put(variants({ name: "a", weight: 1.5 })), 422, "invalid_config"],
  ["a weight of 2^32", () => put(variants({ name: "a", weight: 4_294_967_296 })), 422, "invalid_config"],
  ["a weight given as a string", () => put(variants({ name: "a", weight: "5" })), 400, "invalid_request"],
  ["a variant without a name", () => put(variants({ weight: 1 })), 400, "invalid_request"],
  [
    "101 variants",
    () => put(variants(...Array.from({ length: 101 }, (_, i) => ({ name: `v${i}`, weight: 1 })))),
    422,
    "invalid_config",
  ],
  ["an empty variant name", () => put(variants({ name: "", weight: 1 })), 422, "invalid_config"],
  ["a variant name with surrounding space", () => put(variants({ name: " a", weight: 1 })), 422, "invalid_config"],
  ["a 1025-character description", () => put({ ...fiftyFifty, description: "d".repeat(1025) }), 422, "invalid_config"],
  ["a bad exclusion group", () => put({ ...fiftyFifty, exclusion_group: "bad group" }), 422, "invalid_config"],
  ["a 129-character experiment name", () => put(fiftyFifty, "n".repeat(129)), 400, "invalid_request"],
  ["a definition that is not JSON", () => admin("PUT", "/experiments/err-new", "{"), 400, "invalid_request"],
  ["a definition over 64 KiB", () => put({ ...fiftyFifty, description: "d".repeat(70_000) }), 413, "payload_too_large"],
  ["an unknown definition field", () => put({ ...fiftyFifty, state: "running" }), 400, "invalid_request"],
  ["a redefinition of an archived experiment", () => put(fiftyFifty, ARCHIVED), 409, "archived"],
  // Lifecycle
  [
    "a winner that is not a variant",
    () => admin("POST", `/experiments/${RUNNING}/conclude`, { winner: "nope" }),
    422,
    "invalid_config",
  ],
  [
    "a conclusion without a winner",
    () => admin("POST", `/experiments/${RUNNING}/conclude`, {}),
    400,
    "invalid_request",
  ],
  ["starting an unknown experiment", () => admin("POST", "/experiments/ghost/start"), 404, "not_found"],
  ["starting an archived experiment", () => admin("POST", `/experiments/${ARCHIVED}/start`), 409, "archived"],
  [
    "weights for a concluded experiment",
    () => admin("PUT", `/experiments/${CONCLUDED}/weights`, fiftyFifty),
    409,
    "not_running",
  ],
  [
    "weights for an archived experiment",
    () => admin("PUT", `/experiments/${ARCHIVED}/weights`, fiftyFifty),
    409,
    "archived",
  ],
  [
    "weights dropping an assigned variant",
    () => admin("PUT", `/experiments/${RUNNING}/weights`, variants({ name: "control", weight: 1 })),
    409,
    "variant_in_use",
  ],
  ["weights for an unknown experiment", () => admin("PUT", "/experiments/ghost/weights", fiftyFifty), 404, "not_found"],
  // Overrides, history, lookups
  [
    "an override to an unknown variant",
    () => admin("PUT", `/experiments/${RUNNING}/overrides/qa:1`, { variant: "nope" }),
    422,
    "invalid_config",
  ],
  [
    "an override with a numeric variant",
    () => admin("PUT", `/experiments/${RUNNING}/overrides/qa:1`, { variant: 1 }),
    400,
    "invalid_request",
  ],
  [
    "an override on an unknown experiment",
    () => admin("PUT", "/experiments/ghost/overrides/qa:1", { variant: "a" }),
    404,
    "not_found",
  ],
  ["removing a missing override", () => admin("DELETE", `/experiments/${RUNNING}/overrides/nobody`), 404, "not_found"],
  ["a negative history limit", () => admin("GET", `/experiments/${RUNNING}/history?limit=-1`), 400, "invalid_request"],
  [
    "a non-numeric history limit",
    () => admin("GET", `/experiments/${RUNNING}/history?limit=abc`),
    400,
    "invalid_request",
  ],
  [
    "an assignment that does not exist",
    () => admin("GET", `/experiments/${RUNNING}/assignments/nobody`),
    404,
    "not_found",
  ],
  [
    "a bad actor in an admin path",
    () => admin("GET", `/experiments/${RUNNING}/assignments/a%01b`),
    400,
    "invalid_request",
  ],
  ["an unknown experiment's config", () => admin("GET", "/experiments/ghost"), 404, "not_found"],
  ["PATCH on an experiment", () => admin("PATCH", `/experiments/${RUNNING}`), 405, "method_not_allowed"],
  ["GET on start", () => admin("GET", `/experiments/${RUNNING}/start`), 405, "method_not_allowed"],
  [
    "a history limit given twice",
    () => admin("GET", `/experiments/${RUNNING}/history?limit=1&limit=2`),
    400,
    "invalid_request",
  ],
  [
    "a 129-character X-Admin-Actor",
    () => admin("POST", `/experiments/${RUNNING}/start`, undefined, { "x-admin-actor": "a".repeat(129) }),
    400,
    "invalid_request",
  ],
  [
    "an X-Admin-Actor whose bytes were not UTF-8",
    () => admin("POST", `/experiments/${DRAFT}/start`, undefined, { "x-admin-actor": "ops \uFFFD" }),
    400,
    "invalid_request",
  ],
  [
    "a JSON key given twice (the last would win silently)",
    () => call("POST", "/v1/assign", { body: '{"actor":"u","actor":"v"}' }),
    400,
    "invalid_request",
  ],
  ["a null actor in the batch", () => call("POST", "/v1/assign", { body: { actor: null } }), 400, "invalid_request"],
  [
    "a form body",
    () =>
      call("POST", "/v1/assign", {
        body: '{"actor":"u"}',
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    415,
    "unsupported_media_type",
  ],
  [
    "a text/plain body (what a page may send to another origin without a preflight)",
    () => call("POST", "/v1/assign", { body: '{"actor":"u"}', headers: { "content-type": "text/plain" } }),
    415,
    "unsupported_media_type",
  ],
  [
    "an XML definition",
    () =>
      admin("PUT", `/experiments/${DRAFT}`, "<variants/>", {
        "content-type": "application/xml",
      }),
    415,
    "unsupported_media_type",
  ],
  [
    "JSON declared in another charset",
    () =>
      admin("PUT", `/experiments/${DRAFT}`, JSON.stringify(fiftyFifty), {
        "content-type": "application/json; charset=iso-8859-1",
      }),
    415,
    "unsupported_media_type",
  ],
  ["an unknown admin route", () => call("GET", "/v1/admin/nothing", { headers: bearer }), 404, "not_found"],
];

describe("bad input", () => {
  let before: Record<string, unknown>;

  beforeAll(async () => {
    for (const name of EXPERIMENTS) await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    for (const name of [RUNNING, CONCLUDED, ARCHIVED]) await ok(admin("POST", `/experiments/${name}/start`));
    await ok(admin("POST", `/experiments/${CONCLUDED}/conclude`, { winner: "treatment" }));
    await ok(admin("POST", `/experiments/${ARCHIVED}/archive`));
    await ok(admin("PUT", `/experiments/${RUNNING}/overrides/qa:1`, { variant: "treatment" }));
    await publish();
    await ok(call("GET", `/v1/assign/${RUNNING}?actor=user:1`));
    await ok(call("GET", `/v1/assign/${RUNNING}?actor=qa:1`));
    before = await observableState(EXPERIMENTS, ACTORS);
  });

  const table = cases.map(([description, request, status, code]) => [description, status, code, request] as const);
  it.each(table)("%s → %i %s", async (_, status, code, request) => {
    const response = await request();
    const body = (await response.json()) as Record<string, unknown>;
    expect({ status: response.status, code: body.code }, JSON.stringify(body)).toEqual({ status, code });
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    expect(body.type).toBe(`urn:edge-experiments:problem:${code}`);
    if (status === 401) expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("leaves the state exactly as it was", async () => {
    await publish();
    expect(await observableState(EXPERIMENTS, ACTORS)).toEqual(before);
  });
});

describe("a method a route does not take", () => {
  it.each([
    ["DELETE", "/v1/assign", "POST, OPTIONS"],
    ["PUT", `/v1/assign/${RUNNING}`, "GET, HEAD, OPTIONS"],
    ["DELETE", `/v1/admin/experiments/${RUNNING}`, "GET, PUT, HEAD, OPTIONS"],
    ["HEAD", `/v1/admin/experiments/${RUNNING}/overrides/qa:1`, "PUT, DELETE, OPTIONS"],
    ["PATCH", "/openapi.json", "GET, HEAD, OPTIONS"],
  ])("%s %s → 405 with Allow: %s", async (method, path, allowed) => {
    const response = await call(method, path, { headers: bearer });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allowed);
  });
});

describe("invalid requests name the offending fields", () => {
  it.each([
    [
      "a weight that is not a number",
      () => admin("PUT", "/experiments/err-fields", { variants: [{ name: "a", weight: "1" }] }),
      [{ pointer: "/variants/0/weight", detail: "must be a number" }],
    ],
    [
      "an unknown field beside a bad one",
      () => admin("PUT", "/experiments/err-fields", { variants: "x", colour: "red" }),
      [
        { pointer: "/variants", detail: "must be an array of {name, weight}" },
        { pointer: "/colour", detail: "unknown field" },
      ],
    ],
    [
      "a bad actor in the query",
      () => call("GET", "/v1/assign/err-fields?actor="),
      [{ parameter: "actor", detail: expect.stringContaining("actor id") }],
    ],
    [
      "a bad experiment name in a batch",
      () => call("POST", "/v1/assign", { body: { actor: "u", experiments: ["ok", "bad:name"] } }),
      [{ pointer: "/experiments/1", detail: expect.stringContaining("must match") }],
    ],
    [
      "a key given twice, deep in the body",
      () =>
        admin(
          "PUT",
          "/experiments/err-fields",
          '{"variants":[{"name":"a","weight":1},{"name":"b","weight":1,"\\u0077eight":2}]}',
        ),
      [{ pointer: "/variants/1/weight", detail: "the key is given twice" }],
    ],
    [
      "a missing winner",
      () => admin("POST", "/experiments/err-fields/conclude", {}),
      [{ pointer: "/winner", detail: "is required" }],
    ],
    [
      "an actor given twice",
      () => call("GET", "/v1/assign/err-fields?actor=a&actor=b"),
      [{ parameter: "actor", detail: "given more than once" }],
    ],
    [
      "a non-numeric history limit",
      () => admin("GET", "/experiments/err-fields/history?limit=abc"),
      [{ parameter: "limit", detail: "must be a whole number (0 means all)" }],
    ],
  ])("%s", async (_, request, errors) => {
    const response = await request();
    const body = (await response.json()) as { code: string; detail: string; errors: unknown };
    expect(response.status).toBe(400);
    expect(body.code).toBe("invalid_request");
    expect(body.errors).toEqual(errors);
    const first = errors[0] as { pointer?: string; parameter?: string };
    expect(body.detail).toContain(first.pointer ?? first.parameter);
  });
});
