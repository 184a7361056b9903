// The engine's override semantics (InMemoryExperimentStore): an override shadows the
// actor's sticky assignment, and removing it uncovers that assignment again.
import { describe, expect, it } from "vitest";
import { ExperimentService, experimentConfig, InMemoryExperimentStore } from "../../src/core";
import { errorOf, v } from "./helpers";

async function setUp(group: string | null = null) {
  const store = new InMemoryExperimentStore();
  const svc = new ExperimentService(store, { exposureSink: { record: () => undefined } });
  for (const name of ["exp", "sibling"]) {
    await svc.create(experimentConfig(name, [v("control", 0), v("treatment", 1)], { exclusion_group: group }));
    await svc.start(name);
  }
  return { store, svc };
}

describe("overrides in the engine", () => {
  it("shadow the sticky assignment, which comes back unchanged when the override is removed", async () => {
    const { store, svc } = await setUp();
    expect(await svc.assign("exp", "user:1")).toBe("treatment");
    await svc.setWeights("exp", [v("control", 1), v("treatment", 0)]);
    await svc.setOverride("exp", "user:1", "control");
    expect(await svc.assign("exp", "user:1")).toBe("control");
    expect(await store.getAssignment("exp", "user:1")).toMatchObject({ variant: "control", is_override: true });
    await svc.removeOverride("exp", "user:1");
    expect(await svc.assign("exp", "user:1")).toBe("treatment");
    expect(await store.getAssignment("exp", "user:1")).toMatchObject({ variant: "treatment", is_override: false });
  });

  it("leave an actor without a sticky assignment to be bucketed normally once removed", async () => {
    const { svc } = await setUp();
    await svc.setOverride("exp", "qa:1", "control");
    expect(await svc.assign("exp", "qa:1")).toBe("control");
    await svc.removeOverride("exp", "qa:1");
    expect(await svc.assign("exp", "qa:1")).toBe("treatment");
  });

  it("count for the exclusion group once answered, and only while they exist", async () => {
    const { svc } = await setUp("g");
    await svc.setOverride("exp", "qa:2", "control");
    await svc.assign("exp", "qa:2");
    await errorOf(svc.assign("sibling", "qa:2"), "excluded_by_group");
    await svc.removeOverride("exp", "qa:2");
    expect(await svc.assign("sibling", "qa:2")).toBe("treatment");
  });

  it("do not count for the exclusion group before the actor was answered with one", async () => {
    const { svc } = await setUp("g");
    await svc.setOverride("exp", "qa:3", "control");
    expect(await svc.assign("sibling", "qa:3")).toBe("treatment");
  });

  it("are at most 1,000 per experiment (the snapshot carries them): the 1,001st is invalid_config", async () => {
    const { svc } = await setUp();
    for (let i = 0; i < 1000; i++) await svc.setOverride("exp", `qa:${i}`, "control");
    await errorOf(svc.setOverride("exp", "qa:1000", "control"), "invalid_config");
    await svc.setOverride("exp", "qa:999", "treatment"); // replacing one is fine
    expect(await svc.overrides("exp")).toHaveLength(1000);
  });

  it("cannot be set or removed on an archived experiment", async () => {
    const { svc } = await setUp();
    await svc.setOverride("exp", "qa:4", "control");
    await svc.archive("exp");
    await errorOf(svc.setOverride("exp", "qa:5", "control"), "archived");
    await errorOf(svc.removeOverride("exp", "qa:4"), "archived");
    expect(await svc.overrides("exp")).toEqual([{ actor: "qa:4", variant: "control" }]);
  });
});
