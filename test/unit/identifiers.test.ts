// The identifier rule (`identifierProblem`) and how the config checks apply it: every
// field that travels as an identifier refuses control characters, naming the field.
import { describe, expect, it } from "vitest";
import {
  controlProblem,
  ExperimentError,
  experimentConfig,
  identifierProblem,
  NO_CONTROL_PATTERN,
  validateConfig,
  validateVariants,
} from "../../src/core";
import { errorOf, makeSvc, v } from "./helpers";

/** Every C0 control, DEL and every C1 control. */
const CONTROL_CHARACTERS = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
].map((code) => String.fromCharCode(code));

/** The `invalid_config` that `check` throws. */
function thrownBy(check: () => void): ExperimentError {
  try {
    check();
  } catch (error) {
    if (error instanceof ExperimentError && error.code === "invalid_config") return error;
    throw error;
  }
  throw new Error("expected invalid_config, nothing was thrown");
}

describe("identifierProblem", () => {
  it("refuses each of the 65 control characters (C0, DEL, C1), naming its code point", () => {
    expect(CONTROL_CHARACTERS).toHaveLength(65);
    for (const control of CONTROL_CHARACTERS) {
      const code = control.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      expect(identifierProblem(`x${control}y`, 64)).toBe(`must not contain control characters, found U+${code}`);
      expect(NO_CONTROL_PATTERN.test(`x${control}y`)).toBe(false);
    }
  });

  it("takes printable text of any script, inner spaces included, up to the limit", () => {
    for (const name of ["control", "café", "😀".repeat(64), "two words", "a=b%c", "x\u00a0y", "x\u2028y"]) {
      expect(identifierProblem(name, 64)).toBeNull();
      expect(NO_CONTROL_PATTERN.test(name)).toBe(true);
    }
  });

  it.each([
    ["", "must not be empty"],
    [" ", "must not be empty"],
    [" a", "must be at most 64 characters without surrounding white space"],
    ["a".repeat(65), "must be at most 64 characters without surrounding white space"],
    ["a\udc00", "is not well-formed Unicode"],
  ])("words what is wrong with %j", (name, problem) => {
    expect(identifierProblem(name, 64)).toBe(problem);
  });

  it("names the first control character of several", () => {
    expect(controlProblem("a\u0085b\nc")).toBe("must not contain control characters, found U+0085");
    expect(controlProblem("fine")).toBeNull();
  });
});

describe("the config checks", () => {
  it.each(["x\ny", "x\u0000y", "x\u007fy", "x\u0085y"])(
    "refuse the variant name %j with its pointer, without echoing the name",
    (name) => {
      const error = thrownBy(() => validateVariants([v("control", 1), v(name, 1)]));
      expect(error.errors).toEqual([
        { pointer: "/variants/1/name", detail: expect.stringMatching(/^must not contain control characters/) },
      ]);
      expect(error.message).toContain("(variants[1].name)");
      expect(error.message).not.toContain(name);
    },
  );

  it.each(["g\ny", "g\u0000", "g\u009f"])("refuse the exclusion group %j with its pointer", (group) => {
    const config = experimentConfig("e", [v("a", 1)], { exclusion_group: group });
    const error = thrownBy(() => validateConfig(config));
    expect(error.errors).toEqual([
      { pointer: "/exclusion_group", detail: expect.stringMatching(/^must not contain control characters/) },
    ]);
  });

  it("name the field of an exclusion group that breaks only its pattern", () => {
    const config = experimentConfig("e", [v("a", 1)], { exclusion_group: "bad group" });
    expect(thrownBy(() => validateConfig(config)).errors).toEqual([
      { pointer: "/exclusion_group", detail: expect.stringMatching(/^must match /) },
    ]);
  });

  it("keep a description's newlines: free text is not an identifier", () => {
    expect(() =>
      validateConfig(experimentConfig("e", [v("a", 1)], { description: "one\ntwo\r\nthree\t." })),
    ).not.toThrow();
  });

  it("store nothing when the service refuses a name", async () => {
    const svc = makeSvc();
    const error = await errorOf(
      svc.define("e", { variants: [v("a", 1), v("b\nc", 1)], description: null, exclusion_group: null }),
      "invalid_config",
    );
    expect(error.errors).toHaveLength(1);
    expect(await svc.list()).toEqual([]);
  });
});

describe("an error's fields across an RPC boundary", () => {
  it("survive as the failure, structured-cloned, and thrown again", () => {
    const error = thrownBy(() => validateVariants([v("x\ny", 1)]));
    expect(error.errors).not.toEqual([]);
    const back = ExperimentError.from(structuredClone(error.failure));
    expect([back.code, back.message, back.errors]).toEqual([error.code, error.message, error.errors]);
  });

  it("are left out of the failure when there are none", () => {
    expect(ExperimentError.notFound("ghost").failure).toEqual({
      code: "not_found",
      detail: "experiment 'ghost' not found",
    });
  });
});
