// Guards of the lifecycle that the reference lacks: the exclusion group is fixed once an
// experiment has run, archiving is not repeated, and stored text is well-formed Unicode.
import { describe, expect, it } from "vitest";
import { codePoints, experimentConfig } from "../../src/core";
import { errorOf, makeSvc, v } from "./helpers";

const twoVariants = [v("control", 1), v("treatment", 1)];

describe("the exclusion group", () => {
  it("can change while the experiment is a draft that never ran", async () => {
    const svc = makeSvc();
    await svc.define("exp", { variants: twoVariants, description: null, exclusion_group: null });
    const { config } = await svc.define("exp", { variants: twoVariants, description: null, exclusion_group: "g" });
    expect(config).toMatchObject({ exclusion_group: "g", started_at_secs: null });
  });

  it.each(["running", "concluded", "archived"] as const)("is locked once the experiment is %s", async (state) => {
    const svc = makeSvc();
    await svc.define("exp", { variants: twoVariants, description: null, exclusion_group: null });
    await svc.start("exp");
    if (state === "concluded") await svc.conclude("exp", "control");
    if (state === "archived") await svc.archive("exp");
    const definition = { variants: twoVariants, description: null, exclusion_group: "g" };
    await errorOf(svc.define("exp", definition), state === "archived" ? "archived" : "group_locked");
    expect((await svc.status("exp")).exclusion_group).toBeNull();
  });

  it("is locked on a draft that once ran, even through the reference's whole-config create", async () => {
    const svc = makeSvc();
    await svc.create(experimentConfig("exp", twoVariants));
    await svc.start("exp");
    const started = (await svc.status("exp")).started_at_secs;
    expect(started).not.toBeNull();
    await errorOf(svc.create(experimentConfig("exp", twoVariants, { exclusion_group: "g" })), "group_locked");
    const redrafted = await svc.create(experimentConfig("exp", twoVariants));
    expect(redrafted).toMatchObject({ state: "draft", started_at_secs: started });
    await errorOf(svc.create(experimentConfig("exp", twoVariants, { exclusion_group: "g" })), "group_locked");
  });

  it("may be joined by a new draft while the group's other experiments run", async () => {
    const svc = makeSvc();
    await svc.create(experimentConfig("a", twoVariants, { exclusion_group: "g" }));
    await svc.start("a");
    await svc.assign("a", "user:1");
    await svc.create(experimentConfig("b", twoVariants, { exclusion_group: "g" }));
    await svc.start("b");
    await errorOf(svc.assign("b", "user:1"), "excluded_by_group");
  });
});

describe("archiving", () => {
  it("an archived experiment cannot be archived again, and no history entry is added", async () => {
    const svc = makeSvc();
    await svc.create(experimentConfig("exp", twoVariants));
    await svc.archive("exp");
    const before = await svc.history("exp", 0);
    await errorOf(svc.archive("exp"), "archived");
    expect(await svc.history("exp", 0)).toEqual(before);
  });
});

describe("stored text", () => {
  const lone = "s\udc00x";

  it.each([
    [
      "a variant name",
      () => makeSvc().define("e", { variants: [v(lone, 1)], description: null, exclusion_group: null }),
    ],
    ["a description", () => makeSvc().define("e", { variants: twoVariants, description: lone, exclusion_group: null })],
  ])("refuses %s with a lone surrogate as invalid_config naming the field", async (_, attempt) => {
    const error = await errorOf(attempt(), "invalid_config");
    expect(error.message).toMatch(/variants\[0\]\.name|description/);
  });

  it.each([
    ["winner", (svc: ReturnType<typeof makeSvc>) => svc.conclude("e", lone)],
    ["variant", (svc: ReturnType<typeof makeSvc>) => svc.setOverride("e", "qa:1", lone)],
  ])("refuses a %s with a lone surrogate as invalid_config naming the field", async (field, attempt) => {
    const svc = makeSvc();
    await svc.define("e", { variants: twoVariants, description: null, exclusion_group: null });
    const error = await errorOf(attempt(svc), "invalid_config");
    expect(error.message).toBe(`${field} is not well-formed Unicode`);
  });

  it("counts limits in code points: 64 four-byte characters make a valid variant name, 65 do not", async () => {
    const svc = makeSvc();
    const name = "😀".repeat(64);
    expect(codePoints(name)).toBe(64);
    await svc.define("e", { variants: [v(name, 1)], description: "😀".repeat(1024), exclusion_group: null });
    await errorOf(svc.define("f", { variants: [v(`${name}😀`, 1)], description: null, exclusion_group: null }));
    await errorOf(
      svc.define("g", { variants: twoVariants, description: "😀".repeat(1025), exclusion_group: null }),
      "invalid_config",
    );
  });
});
