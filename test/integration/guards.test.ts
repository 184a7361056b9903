// Guards added after a new-user trial: well-formed stored text, the exclusion group
// locked once an experiment has run, archived experiments frozen (overrides and a
// repeated archive included). Each refusal is its documented 4xx and changes nothing.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, call, fiftyFifty, ok, problem, publish, unique } from "./helpers";
import { observableState } from "./state";

const RUNNING = "guard-running";
const CONCLUDED = "guard-concluded";
const ARCHIVED = "guard-archived";
const EXPERIMENTS = [RUNNING, CONCLUDED, ARCHIVED];
const ACTORS = ["user:1", "qa:1"];
const LONE = "s\udc00x";

type Case = [description: string, request: () => Promise<Response>, status: number, code: string, detail?: RegExp];

const cases: Case[] = [
  [
    "a variant name with a lone surrogate",
    () => admin("PUT", "/experiments/guard-new", { variants: [{ name: LONE, weight: 1 }] }),
    422,
    "invalid_config",
    /variants\[0\]\.name/,
  ],
  [
    "a description with a lone surrogate",
    () => admin("PUT", "/experiments/guard-new", { ...fiftyFifty, description: LONE }),
    422,
    "invalid_config",
    /description/,
  ],
  [
    "a winner with a lone surrogate",
    () => admin("POST", `/experiments/${RUNNING}/conclude`, { winner: LONE }),
    422,
    "invalid_config",
    /winner/,
  ],
  [
    "an override variant with a lone surrogate",
    () => admin("PUT", `/experiments/${RUNNING}/overrides/qa:9`, { variant: LONE }),
    422,
    "invalid_config",
    /variant/,
  ],
  [
    "a variant name of 65 four-byte characters",
    () => admin("PUT", "/experiments/guard-new", { variants: [{ name: "😀".repeat(65), weight: 1 }] }),
    422,
    "invalid_config",
  ],
  [
    "a description of 1,025 four-byte characters",
    () => admin("PUT", "/experiments/guard-new", { ...fiftyFifty, description: "😀".repeat(1025) }),
    422,
    "invalid_config",
  ],
  [
    "an X-Admin-Actor with a control character",
    () => admin("POST", `/experiments/${RUNNING}/start`, undefined, { "x-admin-actor": "ops\u0007" }),
    400,
    "invalid_request",
    /X-Admin-Actor/,
  ],
  [
    "a group set on a running experiment",
    () => admin("PUT", `/experiments/${RUNNING}`, { ...fiftyFifty, exclusion_group: "g" }),
    409,
    "group_locked",
    /draft that never ran/,
  ],
  [
    "a group set on a concluded experiment",
    () => admin("PUT", `/experiments/${CONCLUDED}`, { ...fiftyFifty, exclusion_group: "g" }),
    409,
    "group_locked",
  ],
  [
    "an override set on an archived experiment",
    () => admin("PUT", `/experiments/${ARCHIVED}/overrides/qa:2`, { variant: "control" }),
    409,
    "archived",
  ],
  [
    "an override removed from an archived experiment",
    () => admin("DELETE", `/experiments/${ARCHIVED}/overrides/qa:1`),
    409,
    "archived",
  ],
  ["archiving an archived experiment again", () => admin("POST", `/experiments/${ARCHIVED}/archive`), 409, "archived"],
];

describe("guards", () => {
  let before: Record<string, unknown>;

  beforeAll(async () => {
    for (const name of EXPERIMENTS) await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    for (const name of EXPERIMENTS) await ok(admin("POST", `/experiments/${name}/start`));
    await ok(admin("PUT", `/experiments/${ARCHIVED}/overrides/qa:1`, { variant: "control" }));
    await ok(admin("POST", `/experiments/${CONCLUDED}/conclude`, { winner: "treatment" }));
    await ok(admin("POST", `/experiments/${ARCHIVED}/archive`));
    await publish();
    await ok(call("GET", `/v1/assign/${RUNNING}?actor=user:1`));
    before = await observableState(EXPERIMENTS, ACTORS);
  });

  it.each(cases)("%s is refused", async (_, request, status, code, detail) => {
    const { body } = await problem(request(), status, code);
    if (detail !== undefined) expect(body.detail).toMatch(detail);
  });

  it("leave the state exactly as it was", async () => {
    await publish();
    expect(await observableState(EXPERIMENTS, ACTORS)).toEqual(before);
    await problem(admin("GET", "/experiments/guard-new"), 404, "not_found");
  });
});

describe("text at the limits", () => {
  it("64 four-byte characters name a variant and 1,024 make a description, stored and published unchanged", async () => {
    const name = unique("emoji");
    const variant = "😀".repeat(64);
    const description = "🧪".repeat(1024);
    await ok(admin("PUT", `/experiments/${name}`, { variants: [{ name: variant, weight: 1 }], description }), 201);
    await ok(admin("POST", `/experiments/${name}/start`));
    await ok(admin("PUT", `/experiments/${name}/overrides/qa:1`, { variant }));
    await publish();
    expect(await ok(admin("GET", `/experiments/${name}`))).toMatchObject({
      description,
      variants: [{ name: variant }],
    });
    expect(await ok(admin("GET", `/experiments/${name}/overrides`))).toEqual({
      overrides: [{ actor: "qa:1", variant }],
    });
    expect(await ok(call("GET", `/v1/assign/${name}?actor=user:1`))).toMatchObject({ variant });
  });

  it("an X-Admin-Actor of 128 characters is recorded; 129 is refused", async () => {
    const name = unique("who");
    const who = "a".repeat(128);
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty, { "x-admin-actor": who }), 201);
    await problem(
      admin("POST", `/experiments/${name}/start`, undefined, { "x-admin-actor": `${who}a` }),
      400,
      "invalid_request",
    );
    expect(await ok(admin("GET", `/experiments/${name}/history`))).toMatchObject({
      history: [{ actor: `admin/${who}` }],
    });
  });
});

describe("exclusion groups", () => {
  it("hold even when a caller's config does not know an experiment that joined the group", async () => {
    // Isolate B knows Z (new in group g) and assigns the actor there; isolate A, on a
    // snapshot from before Z existed, then asks for X of the same group with no siblings.
    const stub = env.ACTORS.get(env.ACTORS.idFromName(unique("stale-group")));
    const request = (experiment: string, siblings: string[]) => ({
      experiment,
      variants: ["a"],
      exclusion_group: "g",
      ineligible: null,
      candidate: "a",
      siblings,
    });
    expect(await stub.assign([request("Z", ["X"])])).toMatchObject([{ ok: true }]);
    expect(await stub.assign([request("X", [])])).toMatchObject([{ ok: false, error: { code: "excluded_by_group" } }]);
  });

  it("a new draft may join a group whose other experiments run, and the group then excludes", async () => {
    const group = unique("g");
    const [a, b] = [unique("join-a"), unique("join-b")];
    await ok(admin("PUT", `/experiments/${a}`, { ...fiftyFifty, exclusion_group: group }), 201);
    await ok(admin("POST", `/experiments/${a}/start`));
    await publish();
    await ok(call("GET", `/v1/assign/${a}?actor=user:7`));
    await ok(admin("PUT", `/experiments/${b}`, fiftyFifty), 201);
    await ok(admin("PUT", `/experiments/${b}`, { ...fiftyFifty, exclusion_group: group }));
    await ok(admin("POST", `/experiments/${b}/start`));
    await publish();
    await problem(call("GET", `/v1/assign/${b}?actor=user:7`), 409, "excluded_by_group");
  });
});
