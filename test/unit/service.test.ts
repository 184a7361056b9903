// Behaviour beyond the reference's own tests: what its docs promise, and what this
// project adds (removeOverride, the batch call, validation limits).
import { describe, expect, it, onTestFinished, vi } from "vitest";
import {
  type AssignOutcome,
  type AssignRequest,
  assignExperiments,
  ExperimentService,
  experimentConfig,
  InMemoryExperimentStore,
  prepareExperiment,
} from "../../src/core";
import { errorOf, fiftyFifty, makeSvc, makeSvcWithSink, RecordingExposureSink, running, v } from "./helpers";

describe("overrides", () => {
  it("take precedence over an existing sticky assignment and replace it", async () => {
    const svc = makeSvc();
    await running(svc, "exp");
    const before = await svc.assign("exp", "user:1");
    const other = before === "control" ? "treatment" : "control";
    await svc.setOverride("exp", "user:1", other);
    expect(await svc.assign("exp", "user:1")).toBe(other);
  });

  it("bypass mutual exclusion", async () => {
    const svc = makeSvc();
    for (const name of ["a", "b"]) {
      await svc.create(experimentConfig(name, [v("x", 1)], { exclusion_group: "g" }));
      await svc.start(name);
    }
    await svc.assign("a", "qa:1");
    await svc.setOverride("b", "qa:1", "x");
    expect(await svc.assign("b", "qa:1")).toBe("x");
  });

  it("are skipped when their variant is no longer configured", async () => {
    const svc = makeSvc();
    await svc.create(experimentConfig("exp", [v("control", 1), v("gone", 0)]));
    await svc.setOverride("exp", "qa:1", "gone");
    await svc.setWeights("exp", [v("control", 1)]);
    await svc.start("exp");
    expect(await svc.assign("exp", "qa:1")).toBe("control");
  });

  it("must name a configured variant", async () => {
    const svc = makeSvc();
    await running(svc, "exp");
    const err = await errorOf(svc.setOverride("exp", "qa:1", "nope"), "invalid_config");
    expect(err.message).toBe("'nope' is not a configured variant of experiment 'exp'");
    await errorOf(svc.setOverride("ghost", "qa:1", "control"), "not_found");
  });

  it("removal lets an actor that had no sticky assignment bucket normally", async () => {
    const svc = makeSvc();
    await svc.create(experimentConfig("exp", [v("control", 1), v("treatment", 0)]));
    await svc.start("exp");
    await svc.setOverride("exp", "qa:1", "treatment");
    expect(await svc.assign("exp", "qa:1")).toBe("treatment");
    await svc.removeOverride("exp", "qa:1", "ops");
    expect(await svc.overrides("exp")).toEqual([]);
    expect(await svc.assign("exp", "qa:1")).toBe("control");
    expect((await svc.history("exp", 1))[0]).toMatchObject({ mutation: "override_removed=qa:1", actor: "ops" });
  });

  it("removal keeps a sticky assignment that bucketing made", async () => {
    const svc = makeSvc();
    await running(svc, "exp");
    const bucketed = await svc.assign("exp", "user:1");
    await svc.setOverride("exp", "user:9", "control");
    await svc.removeOverride("exp", "user:9");
    expect(await svc.assign("exp", "user:1")).toBe(bucketed);
  });

  it("removal of a missing override is not_found and changes nothing", async () => {
    const svc = makeSvc();
    await running(svc, "exp");
    const before = await svc.history("exp", 0);
    await errorOf(svc.removeOverride("exp", "nobody"), "not_found");
    expect(await svc.history("exp", 0)).toEqual(before);
  });
});

describe("lifecycle", () => {
  it("refuses to start, conclude, redefine or reweight an archived experiment", async () => {
    const svc = makeSvc();
    await running(svc, "exp");
    await svc.archive("exp");
    await errorOf(svc.start("exp"), "archived");
    await errorOf(svc.conclude("exp", "control"), "archived");
    await errorOf(svc.setWeights("exp", [v("control", 1), v("treatment", 1)]), "archived");
    await errorOf(svc.define("exp", { variants: [v("a", 1)], description: null, exclusion_group: null }), "archived");
    expect((await svc.status("exp")).state).toBe("archived");
  });

  it("refuses new weights for a concluded experiment with not_running", async () => {
    const svc = makeSvc();
    await running(svc, "exp");
    await svc.conclude("exp", "control");
    await errorOf(svc.setWeights("exp", [v("control", 1), v("treatment", 1)]), "not_running");
  });

  it("needs a configured winner to conclude", async () => {
    const svc = makeSvc();
    await running(svc, "exp");
    await errorOf(svc.conclude("exp", "nope"), "invalid_config");
    expect((await svc.status("exp")).state).toBe("running");
  });

  it("can restart a concluded experiment, and sticky assignments survive it", async () => {
    const svc = makeSvc();
    await running(svc, "exp");
    const first = await svc.assign("exp", "user:1");
    await svc.conclude("exp", first === "control" ? "treatment" : "control");
    await svc.start("exp");
    expect(await svc.assign("exp", "user:1")).toBe(first);
  });

  it("define creates a draft, then replaces the definition keeping state and winner", async () => {
    const svc = makeSvc();
    const created = await svc.define("exp", {
      variants: [v("a", 1), v("b", 1)],
      description: null,
      exclusion_group: "g",
    });
    expect(created.created).toBe(true);
    expect(created.config.state).toBe("draft");
    await svc.start("exp");
    await svc.conclude("exp", "b");
    const replaced = await svc.define("exp", {
      variants: [v("a", 1), v("b", 3)],
      description: "d",
      exclusion_group: "g",
    });
    expect(replaced.created).toBe(false);
    expect(replaced.config).toMatchObject({ state: "concluded", winner: "b", description: "d", exclusion_group: "g" });
  });

  it("records every mutation with the reference's strings, newest first; limit 0 is all", async () => {
    const svc = makeSvc();
    await svc.create(fiftyFifty("exp"), "alice");
    await svc.create(fiftyFifty("exp"));
    await svc.start("exp");
    await svc.setWeights("exp", [v("control", 1), v("treatment", 3)], "ops@example.com");
    await svc.setOverride("exp", "qa:1", "treatment");
    await svc.removeOverride("exp", "qa:1");
    await svc.conclude("exp", "treatment");
    await svc.archive("exp");
    const all = await svc.history("exp", 0);
    expect(all.map((r) => r.mutation)).toEqual([
      "state=archived",
      "concluded=treatment",
      "override_removed=qa:1",
      "override=qa:1:treatment",
      "set_weights",
      "state=running",
      "updated",
      "created",
    ]);
    expect(all.at(-1)?.actor).toBe("alice");
    expect(await svc.history("exp", 3)).toEqual(all.slice(0, 3));
    expect(await svc.history("ghost", 0)).toEqual([]);
  });
});

describe("validation", () => {
  const bad: [string, { name: string; weight: number }[], string][] = [
    ["no variants", [], "an experiment needs at least one variant"],
    ["an empty name", [v(" ", 1)], "variant name must not be empty"],
    ["a duplicate name", [v("a", 1), v("a", 2)], "duplicate variant name: 'a'"],
    ["a negative weight", [v("a", -1)], "weight of variant 'a'"],
    ["a fractional weight", [v("a", 0.5)], "weight of variant 'a'"],
    ["a weight above 2^32-1", [v("a", 4_294_967_296)], "weight of variant 'a'"],
    ["surrounding white space", [v(" a", 1)], "without surrounding white space"],
    ["a 65-character name", [v("x".repeat(65), 1)], "at most 64 characters"],
    ["101 variants", Array.from({ length: 101 }, (_, i) => v(`v${i}`, 1)), "too many variants"],
  ];

  it.each(bad)("refuses %s with invalid_config and stores nothing", async (_, variants, message) => {
    const svc = makeSvc();
    const err = await errorOf(svc.create(experimentConfig("exp", variants)), "invalid_config");
    expect(err.message).toContain(message);
    expect(await svc.list()).toEqual([]);
    expect(await svc.history("exp", 0)).toEqual([]);
  });

  it("refuses bad experiment and group names", async () => {
    const svc = makeSvc();
    await errorOf(svc.create(experimentConfig("a:b", [v("x", 1)])), "invalid_config");
    await errorOf(svc.create(experimentConfig("ok", [v("x", 1)], { exclusion_group: "bad group" })), "invalid_config");
  });
});

describe("exposures", () => {
  it("are emitted for sticky and override assignments, never for concluded ones", async () => {
    const { svc, sink } = makeSvcWithSink();
    await running(svc, "exp");
    await svc.assign("exp", "user:1");
    await svc.setOverride("exp", "qa:1", "control");
    await svc.assign("exp", "qa:1");
    await svc.conclude("exp", "control");
    await svc.assign("exp", "user:1");
    expect(sink.records.map((r) => [r.actor, r.is_override])).toEqual([
      ["user:1", false],
      ["qa:1", true],
    ]);
  });

  it("are not emitted for failed assignments", async () => {
    const { svc, sink } = makeSvcWithSink();
    await svc.create(experimentConfig("exp", [v("a", 0)]));
    await errorOf(svc.assign("exp", "user:1"), "not_running");
    await svc.start("exp");
    await errorOf(svc.assign("exp", "user:1"), "no_variant");
    expect(sink.records).toEqual([]);
  });

  it("never fail an assignment when the sink throws or rejects, and say so in the log", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    onTestFinished(() => errors.mockRestore());
    for (const record of [
      () => {
        throw new Error("sink down");
      },
      () => Promise.reject(new Error("sink down")),
    ]) {
      const svc = new ExperimentService(new InMemoryExperimentStore(), { exposureSink: { record } });
      await running(svc, "exp");
      await expect(svc.assign("exp", "user:1")).resolves.toMatch(/^(control|treatment)$/);
    }
    await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(2));
    expect(errors).toHaveBeenCalledWith("exposure sink failed", expect.any(Error));
  });
});

describe("concurrency and batching", () => {
  it("50 concurrent first assignments of one (experiment, actor) agree on one stored variant", async () => {
    const store = new InMemoryExperimentStore();
    const svc = new ExperimentService(store, { exposureSink: new RecordingExposureSink() });
    await running(svc, "exp");
    // Flip the weights halfway so that a second writer would pick the other variant.
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        if (i === 25) await svc.setWeights("exp", [v("control", 1), v("treatment", 1)]);
        return svc.assign("exp", "user:1");
      }),
    );
    expect(new Set(results).size).toBe(1);
    expect((await store.getAssignment("exp", "user:1"))?.variant).toBe(results[0]);
  });

  it("assigns several experiments with one store call, in the order given", async () => {
    const store = new InMemoryExperimentStore();
    const svc = new ExperimentService(store, { exposureSink: new RecordingExposureSink() });
    for (const name of ["a", "b", "c"]) {
      await svc.create(experimentConfig(name, [v("x", 1)], { exclusion_group: "g" }));
      await svc.start(name);
    }
    await svc.create(fiftyFifty("done"));
    await svc.start("done");
    await svc.conclude("done", "treatment");
    const calls: AssignRequest[][] = [];
    const counting = {
      assign: (actor: string, requests: readonly AssignRequest[]): Promise<AssignOutcome[]> => {
        calls.push([...requests]);
        return store.assign(actor, requests);
      },
    };
    const names = ["c", "done", "a", "ghost", "b", "c"];
    const configs = await Promise.all(
      names.map(async (n) => {
        const config = await store.get(n);
        return [n, config && prepareExperiment(config)] as const;
      }),
    );
    const call = { actor: "user:1", attributes: {}, requestId: "r1" };
    const { results, exposures } = await assignExperiments(configs, counting, call);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.map((r) => r.experiment)).toEqual(["c", "a", "b"]);
    expect([...results.keys()]).toEqual(["c", "done", "a", "ghost", "b"]);
    expect(results.get("c")).toMatchObject({ ok: true, value: { variant: "x" } });
    expect(results.get("done")).toMatchObject({ ok: true, value: { variant: "treatment", exposed: false } });
    for (const name of ["a", "b"])
      expect(results.get(name)).toMatchObject({ ok: false, error: { code: "excluded_by_group" } });
    expect(results.get("ghost")).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(exposures.map((r) => [r.experiment, r.request_id])).toEqual([["c", "r1"]]);
  });
});
