// Names that travel as identifiers (variant names, exclusion groups) refuse control
// characters with 422 naming the field, and nothing is stored; free text (a description)
// keeps its newlines. The example consumer answers 200 whatever a stored variant holds.
import { describe, expect, it, vi } from "vitest";
import consumer from "../../examples/consumer-worker/src/index";
import { NO_CONTROL_PATTERN } from "../../src/core";
import type { ExperimentsService } from "../../src/edge/rpc";
import { admin, fiftyFifty, ok, problem, unique } from "./helpers";

/** One control character of each kind: C0 (a line break, NUL), DEL and C1 (NEL). */
const CONTROLS: [string, string][] = [
  ["a line feed", "\n"],
  ["NUL", "\u0000"],
  ["DEL", "\u007f"],
  ["NEL (C1)", "\u0085"],
];

const withSecond = (name: string) => ({
  variants: [
    { name: "control", weight: 50 },
    { name, weight: 50 },
  ],
});

/** A 422 `invalid_config` whose one offending field is `pointer`, its detail naming control characters. */
async function refusedAt(response: Promise<Response>, pointer: string) {
  const { body } = await problem(response, 422, "invalid_config");
  expect(body.errors).toEqual([{ pointer, detail: expect.stringContaining("must not contain control characters") }]);
  expect(body.detail).toEqual(expect.stringContaining("control characters"));
  expect(body.detail).toMatch(NO_CONTROL_PATTERN); // the refused name is not echoed
}

describe("a variant name with a control character", () => {
  it.each(CONTROLS)("(%s) is refused when an experiment is created, and nothing is stored", async (_, control) => {
    const name = unique("id-create");
    await refusedAt(admin("PUT", `/experiments/${name}`, withSecond(`x${control}y`)), "/variants/1/name");
    await problem(admin("GET", `/experiments/${name}`), 404, "not_found");
    expect(await ok(admin("GET", `/experiments/${name}/history?limit=0`))).toEqual({ history: [] });
  });

  it.each(CONTROLS)("(%s) is refused when an experiment is redefined, which stays as it was", async (_, control) => {
    const name = unique("id-redefine");
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    const before = await ok(admin("GET", `/experiments/${name}`));
    await refusedAt(admin("PUT", `/experiments/${name}`, withSecond(`x${control}y`)), "/variants/1/name");
    expect(await ok(admin("GET", `/experiments/${name}`))).toEqual(before);
  });

  it.each(CONTROLS)("(%s) is refused in new weights, which leave the experiment as it was", async (_, control) => {
    const name = unique("id-weights");
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    const before = await ok(admin("GET", `/experiments/${name}`));
    await refusedAt(admin("PUT", `/experiments/${name}/weights`, withSecond(`x${control}y`)), "/variants/1/name");
    expect(await ok(admin("GET", `/experiments/${name}`))).toEqual(before);
  });

  it("is refused at the first offending variant's index", async () => {
    const name = unique("id-first");
    const variants = [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
      { name: "c\td", weight: 1 },
      { name: "e\nf", weight: 1 },
    ];
    await refusedAt(admin("PUT", `/experiments/${name}`, { variants }), "/variants/2/name");
  });
});

describe("an exclusion group with a control character", () => {
  it.each(CONTROLS)("(%s) is refused naming /exclusion_group, and nothing is stored", async (_, control) => {
    const name = unique("id-group");
    const definition = { ...fiftyFifty, exclusion_group: `group${control}x` };
    await refusedAt(admin("PUT", `/experiments/${name}`, definition), "/exclusion_group");
    await problem(admin("GET", `/experiments/${name}`), 404, "not_found");
  });
});

describe("what identifiers and free text may still hold", () => {
  it("keeps a description's newlines and tabs", async () => {
    const name = unique("id-description");
    const description = "Checkout test.\nSecond line:\tdetails.";
    const created = await ok<{ description: string }>(
      admin("PUT", `/experiments/${name}`, { ...fiftyFifty, description }),
      201,
    );
    expect(created.description).toBe(description);
    expect(await ok(admin("GET", `/experiments/${name}`))).toMatchObject({ description });
  });

  it("takes variant names of any printable Unicode, spaces inside included", async () => {
    const name = unique("id-unicode");
    const variants = ["café", "😀", "two words", "a=b%c"].map((variant) => ({ name: variant, weight: 1 }));
    await ok(admin("PUT", `/experiments/${name}`, { variants }), 201);
  });
});

describe("the example consumer Worker", () => {
  /** The consumer, bound to a stand-in for the service binding that answers `assign` with `answer`. */
  const visit = (assign: () => Promise<unknown>) =>
    consumer.fetch(new Request("https://consumer.test/?experiment=e&actor=u"), {
      EXPERIMENTS: { assign } as unknown as ExperimentsService,
    });
  const variant = (name: string) => () => Promise.resolve({ ok: true, variant: name, is_override: false });

  // Names that a version before the identifier rule stored, and names that are valid now.
  it.each([
    ["x\ny", "x%0Ay"],
    ["x\u0000y", "x%00y"],
    ["x\u007fy", "x%7Fy"],
    ["x\u0085y", "x%C2%85y"],
    ["café", "caf%C3%A9"],
    ["two words", "two%20words"],
    ["50%", "50%25"],
    ["control", "control"],
    ["v2_b.test-1", "v2_b.test-1"],
  ])("answers 200 with the variant %j percent-encoded in X-Variant", async (name, header) => {
    const response = await visit(variant(name));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-variant")).toBe(header);
    expect(decodeURIComponent(header)).toBe(name);
  });

  it("answers 200 for a variant that is not well-formed Unicode, its lone surrogate as U+FFFD", async () => {
    const response = await visit(variant("x\ud800y"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-variant")).toBe("x%EF%BF%BDy");
  });

  it("answers 200 with X-Experiment-Error when the call itself fails", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await visit(() => Promise.reject(new Error("binding unavailable")));
    expect(response.status).toBe(200);
    expect([response.headers.get("x-variant"), response.headers.get("x-experiment-error")]).toEqual([
      null,
      "store_unavailable",
    ]);
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });
});
