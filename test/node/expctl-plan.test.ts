// `expctl apply`'s planner, without HTTP: current configs and holdouts + a file's → steps.
import { describe, expect, it } from "vitest";
import { parseApplyFile } from "../../src/cli/apply-file";
import { stepLine } from "../../src/cli/commands/apply";
import { UsageError } from "../../src/cli/errors";
import { type DesiredExperiment, type DesiredHoldout, plan, sameJson } from "../../src/cli/plan";
import type { ExperimentConfig, Holdout } from "../../src/client";
import { experimentConfig } from "../../src/core";

const FIFTY = [
  { name: "control", weight: 50 },
  { name: "treatment", weight: 50 },
];
const TEN_NINETY = [
  { name: "control", weight: 10 },
  { name: "treatment", weight: 90 },
];

/** A stored config as the Worker lists it. */
function stored(name: string, fields: Partial<ExperimentConfig> = {}): ExperimentConfig {
  const state = fields.state ?? "draft";
  return {
    ...experimentConfig(name, FIFTY),
    updated_at_secs: 1_800_000_000,
    started_at_secs: state === "draft" ? null : 1_800_000_000,
    ...fields,
  };
}

function want(name: string, fields: Partial<DesiredExperiment> = {}): DesiredExperiment {
  return { name, definition: { variants: FIFTY }, ...fields };
}

describe("apply's planner", () => {
  describe("new experiments", () => {
    it("creates an experiment the Worker does not have, as a draft, in one call", () => {
      const definition = { variants: FIFTY, description: "New checkout flow", coverage: 2500 };
      expect(plan([], [want("checkout_v2", { definition })])).toEqual({
        steps: [{ kind: "create", name: "checkout_v2", definition }],
        impossible: [],
      });
    });

    it("creates then starts a new experiment declared running", () => {
      expect(plan([], [want("a", { state: "running" })]).steps.map((s) => s.kind)).toEqual(["create", "start"]);
    });

    it("creates then concludes a new experiment declared concluded, without starting it", () => {
      expect(plan([], [want("a", { state: "concluded", winner: "treatment" })]).steps).toEqual([
        { kind: "create", name: "a", definition: { variants: FIFTY } },
        { kind: "conclude", name: "a", winner: "treatment" },
      ]);
    });

    it("creates then archives a new experiment declared archived", () => {
      expect(plan([], [want("a", { state: "archived" })]).steps.map((s) => s.kind)).toEqual(["create", "archive"]);
    });
  });

  describe("nothing to do", () => {
    it("plans nothing when the definition and state already match", () => {
      expect(plan([stored("a", { state: "running" })], [want("a", { state: "running" })])).toEqual({
        steps: [],
        impossible: [],
      });
    });

    it("treats fields left out of the file as the defaults a definition PUT stores", () => {
      const current = stored("a", { description: null, exclusion_group: null, targeting: [], coverage: 10_000 });
      expect(plan([current], [want("a")]).steps).toEqual([]);
    });

    it("ignores the order of keys, and a condition's case_insensitive left at its default", () => {
      const current = stored("a", {
        targeting: [{ values: ["DE"], operator: "in", attribute: "country", case_insensitive: false }],
      });
      const condition = { attribute: "country", operator: "in", values: ["DE"], case_insensitive: false };
      expect(plan([current], [want("a", { definition: { variants: FIFTY, targeting: [condition] } })]).steps).toEqual(
        [],
      );
    });

    it("plans nothing for an experiment concluded and started again, whose config keeps its old winner", () => {
      const restarted = stored("a", { state: "running", winner: "treatment" });
      expect(plan([restarted], [want("a")])).toEqual({ steps: [], impossible: [] });
    });

    it("keeps the current state when the file names none", () => {
      expect(plan([stored("a", { state: "running" })], [want("a")]).steps).toEqual([]);
    });

    it("leaves experiments the file does not name alone", () => {
      expect(plan([stored("other", { state: "running" })], []).steps).toEqual([]);
    });

    it("does not conclude again an experiment concluded with the same winner", () => {
      const current = stored("a", { state: "concluded", winner: "treatment" });
      expect(plan([current], [want("a", { state: "concluded", winner: "treatment" })]).steps).toEqual([]);
    });
  });

  describe("definition changes", () => {
    it("changes only the weights with PUT weights while the experiment runs", () => {
      const steps = plan(
        [stored("a", { state: "running" })],
        [want("a", { definition: { variants: TEN_NINETY } })],
      ).steps;
      expect(steps).toEqual([{ kind: "weights", name: "a", from: FIFTY, variants: TEN_NINETY }]);
    });

    it("changes only the coverage with PUT coverage while the experiment is a draft", () => {
      const steps = plan([stored("a")], [want("a", { definition: { variants: FIFTY, coverage: 500 } })]).steps;
      expect(steps).toEqual([{ kind: "coverage", name: "a", from: 10_000, coverage: 500 }]);
    });

    it("resets a coverage the file leaves out to everyone, since a definition replaces the whole", () => {
      const steps = plan([stored("a", { coverage: 500 })], [want("a")]).steps;
      expect(steps).toEqual([{ kind: "coverage", name: "a", from: 500, coverage: 10_000 }]);
    });

    it("replaces the definition in one PUT when weights and coverage both change", () => {
      const definition = { variants: TEN_NINETY, coverage: 500 };
      expect(plan([stored("a", { state: "running" })], [want("a", { definition })]).steps).toEqual([
        { kind: "define", name: "a", definition, changed: ["variants", "coverage"] },
      ]);
    });

    it("replaces the definition when the description or targeting change", () => {
      const definition = {
        variants: FIFTY,
        description: "now described",
        targeting: [{ attribute: "plan", operator: "in", values: ["pro"], case_insensitive: false }],
      };
      const steps = plan([stored("a", { state: "running" })], [want("a", { definition })]).steps;
      expect(steps).toEqual([{ kind: "define", name: "a", definition, changed: ["description", "targeting"] }]);
    });

    it("changes the weights of a concluded experiment with a definition PUT, which PUT weights refuses", () => {
      const current = stored("a", { state: "concluded", winner: "treatment" });
      const steps = plan([current], [want("a", { definition: { variants: TEN_NINETY } })]).steps;
      expect(steps.map((s) => s.kind)).toEqual(["define"]);
    });

    it("counts a new variant order as a change (the order decides the buckets)", () => {
      const reversed = [...FIFTY].reverse();
      const steps = plan([stored("a")], [want("a", { definition: { variants: reversed } })]).steps;
      expect(steps).toEqual([{ kind: "weights", name: "a", from: FIFTY, variants: reversed }]);
    });

    it("may change the exclusion group of a draft that never ran", () => {
      const steps = plan([stored("a")], [want("a", { definition: { variants: FIFTY, exclusion_group: "g" } })]).steps;
      expect(steps.map((s) => s.kind)).toEqual(["define"]);
    });

    it("changes the definition before the state: weights, then conclude", () => {
      const steps = plan(
        [stored("a", { state: "running" })],
        [want("a", { definition: { variants: TEN_NINETY }, state: "concluded", winner: "treatment" })],
      ).steps;
      expect(steps.map((s) => s.kind)).toEqual(["weights", "conclude"]);
    });

    it("changes the definition of an experiment it archives, then archives it", () => {
      const steps = plan(
        [stored("a", { state: "running" })],
        [want("a", { definition: { variants: FIFTY, description: "retired" }, state: "archived" })],
      ).steps;
      expect(steps.map((s) => s.kind)).toEqual(["define", "archive"]);
    });
  });

  describe("state transitions", () => {
    it("starts a draft", () => {
      expect(plan([stored("a")], [want("a", { state: "running" })]).steps).toEqual([{ kind: "start", name: "a" }]);
    });

    it("starts a concluded experiment again", () => {
      const current = stored("a", { state: "concluded", winner: "control" });
      expect(plan([current], [want("a", { state: "running" })]).steps).toEqual([{ kind: "start", name: "a" }]);
    });

    it("concludes a running experiment with the file's winner", () => {
      expect(
        plan([stored("a", { state: "running" })], [want("a", { state: "concluded", winner: "control" })]).steps,
      ).toEqual([{ kind: "conclude", name: "a", winner: "control" }]);
    });

    it("concludes again when the file names another winner", () => {
      const current = stored("a", { state: "concluded", winner: "control" });
      expect(plan([current], [want("a", { state: "concluded", winner: "treatment" })]).steps).toEqual([
        { kind: "conclude", name: "a", winner: "treatment" },
      ]);
    });

    it("archives from any state in one call", () => {
      for (const state of ["draft", "running", "concluded"] as const) {
        const current = stored("a", { state, winner: state === "concluded" ? "control" : null });
        expect(plan([current], [want("a", { state: "archived" })]).steps).toEqual([{ kind: "archive", name: "a" }]);
      }
    });
  });

  describe("impossible plans", () => {
    const reasonFor = (current: ExperimentConfig[], desired: DesiredExperiment) => {
      const result = plan(current, [desired]);
      expect(result.steps).toEqual([]);
      expect(result.impossible).toHaveLength(1);
      return result.impossible[0]?.reason;
    };

    it("refuses to bring a running or concluded experiment back to draft", () => {
      expect(reasonFor([stored("a", { state: "running" })], want("a", { state: "draft" }))).toContain(
        "running → draft",
      );
      const concluded = stored("a", { state: "concluded", winner: "control" });
      expect(reasonFor([concluded], want("a", { state: "draft" }))).toContain("concluded → draft");
    });

    it("refuses to bring a draft concluded directly back to draft, without saying that it has run", () => {
      // `conclude` takes a draft as it is (the reference's conclude()): it never started.
      const concludedDraft = stored("a", { state: "concluded", winner: "control", started_at_secs: null });
      expect(reasonFor([concludedDraft], want("a", { state: "draft" }))).toBe(
        "no call brings an experiment back to draft (concluded → draft)",
      );
    });

    it("refuses a new group or hash version for a draft concluded directly, in the Worker's terms", () => {
      const concludedDraft = stored("a", { state: "concluded", winner: "control", started_at_secs: null });
      const desired = want("a", { definition: { variants: FIFTY, exclusion_group: "checkout" } });
      expect(reasonFor([concludedDraft], desired)).toBe(
        "exclusion_group can only change while the experiment is a draft that never ran (none → checkout)",
      );
    });

    it("refuses any state out of archived", () => {
      expect(reasonFor([stored("a", { state: "archived" })], want("a", { state: "running" }))).toContain(
        "archived → running",
      );
    });

    it("refuses to change the definition of an archived experiment", () => {
      const desired = want("a", { definition: { variants: TEN_NINETY }, state: "archived" });
      expect(reasonFor([stored("a", { state: "archived" })], desired)).toContain("archived experiments cannot change");
    });

    it("refuses concluded without a winner, and a winner without concluded", () => {
      expect(reasonFor([stored("a", { state: "running" })], want("a", { state: "concluded" }))).toContain(
        "needs a winner",
      );
      expect(reasonFor([], want("a", { state: "running", winner: "control" }))).toContain("only for state concluded");
    });

    it("refuses a winner that is not one of the file's variants, with the engine's words", () => {
      expect(reasonFor([], want("a", { state: "concluded", winner: "ghost" }))).toBe(
        "'ghost' is not a configured variant of experiment 'a'",
      );
    });

    it("refuses an invalid definition before any call, with the engine's words", () => {
      const twice = [
        { name: "control", weight: 1 },
        { name: "control", weight: 2 },
      ];
      const duplicate = want("a", { definition: { variants: twice } });
      expect(reasonFor([], duplicate)).toBe("duplicate variant name: 'control'");
      expect(reasonFor([], want("a", { definition: { variants: [] } }))).toBe(
        "an experiment needs at least one variant",
      );
    });

    it("refuses to change the exclusion group unless the experiment is a draft that never ran", () => {
      const desired = want("a", { definition: { variants: FIFTY, exclusion_group: "checkout" } });
      expect(reasonFor([stored("a", { state: "running" })], desired)).toContain(
        "exclusion_group can only change while the experiment is a draft that never ran",
      );
    });

    it("refuses to change the hash version unless the experiment is a draft that never ran", () => {
      const desired = want("a", { definition: { variants: FIFTY, hash_version: 2 } });
      expect(reasonFor([stored("a", { state: "concluded", winner: "control" })], desired)).toBe(
        "hash_version can only change while the experiment is a draft that never ran (1 → 2)",
      );
    });

    it("still plans the other experiments, so the whole plan can be shown before it is refused", () => {
      const result = plan([stored("a", { state: "running" })], [want("a", { state: "draft" }), want("b")]);
      expect(result.impossible.map((i) => i.name)).toEqual(["a"]);
      expect(result.steps.map((s) => `${s.kind} ${s.name}`)).toEqual(["create b"]);
    });
  });

  describe("plan lines", () => {
    it("says what a create applies: variants, group, targeting, coverage and hash version", () => {
      const definition = {
        variants: FIFTY,
        description: "New checkout flow",
        exclusion_group: "checkout",
        targeting: [
          { attribute: "country", operator: "in", values: ["DE", "FR"], case_insensitive: false },
          { attribute: "email", operator: "ends_with", values: ["@example.com"], case_insensitive: true },
        ],
        coverage: 2500,
        hash_version: 2,
      };
      expect(stepLine({ kind: "create", name: "checkout_v2", definition })).toBe(
        "create     checkout_v2: control=50 treatment=50 | group checkout | " +
          "targeting country in DE,FR; email ends_with/i @example.com | coverage 2500 | hash version 2",
      );
    });

    it("names the defaults a create applies for the fields the file leaves out", () => {
      expect(stepLine({ kind: "create", name: "a", definition: { variants: [{ name: "x", weight: 1 }] } })).toBe(
        "create     a: x=1 | targeting everyone | coverage 10000 | hash version 1",
      );
    });

    it("says what the other steps change", () => {
      expect(stepLine({ kind: "coverage", name: "a", from: 10_000, coverage: 2500 })).toBe(
        "coverage   a: 10000 → 2500",
      );
      expect(stepLine({ kind: "weights", name: "a", from: FIFTY, variants: TEN_NINETY })).toBe(
        "weights    a: control=50 treatment=50 → control=10 treatment=90",
      );
      expect(stepLine({ kind: "conclude", name: "a", winner: "control" })).toBe("conclude   a: winner control");
    });
  });

  describe("metrics", () => {
    const purchase = {
      name: "purchase",
      event: "purchase",
      kind: "conversion",
      direction: "increase",
      role: "goal",
    } as const;
    const refunds = {
      name: "refunds",
      event: "refund",
      kind: "sum",
      direction: "decrease",
      role: "guardrail",
    } as const;

    it("reads a file's metrics as the definition PUT takes them", () => {
      const text = `
experiments:
  - name: checkout_v2
    variants: [{name: control, weight: 50}, {name: treatment, weight: 50}]
    metrics:
      - {name: purchase, kind: conversion}
      - {name: refunds, event: refund, kind: sum, direction: decrease, role: guardrail}
    state: running
`;
      expect(parseApplyFile(text, "x.yaml").experiments).toEqual([
        {
          name: "checkout_v2",
          definition: { variants: FIFTY, metrics: [{ name: "purchase", kind: "conversion" }, refunds] },
          state: "running",
        },
      ]);
    });

    it.each([
      ["an unknown field", "{name: a, kind: sum, window: 7}", "experiments[0].metrics[0]"],
      ["an unknown kind", "{name: a, kind: mean}", "metric kind must be one of conversion, sum"],
      ["a name with a colon", "{name: 'a:b', kind: sum}", "metric name must match"],
    ])("refuses a file with %s before any call", (_, metric, words) => {
      const text = `experiments:\n  - name: a\n    variants: [{name: x, weight: 1}]\n    metrics: [${metric}]\n`;
      expect(() => parseApplyFile(text, "x.yaml")).toThrow(UsageError);
      expect(() => parseApplyFile(text, "x.yaml")).toThrow(words);
    });

    it("plans nothing when the stored metrics are the file's with their defaults filled in", () => {
      const current = stored("a", { state: "running", metrics: [purchase, refunds] });
      const definition = { variants: FIFTY, metrics: [{ name: "purchase", kind: "conversion" }, refunds] };
      expect(plan([current], [want("a", { state: "running", definition })]).steps).toEqual([]);
    });

    it("changes the metrics of a running experiment with a definition PUT, which keeps it running", () => {
      const current = stored("a", { state: "running", metrics: [purchase] });
      const definition = { variants: FIFTY, metrics: [{ name: "purchase", kind: "conversion" }, refunds] };
      expect(plan([current], [want("a", { state: "running", definition })]).steps).toEqual([
        { kind: "define", name: "a", definition, changed: ["metrics"] },
      ]);
    });

    it("removes the metrics a file leaves out, since a definition replaces the whole", () => {
      const current = stored("a", { metrics: [purchase] });
      expect(plan([current], [want("a")]).steps).toEqual([
        { kind: "define", name: "a", definition: { variants: FIFTY }, changed: ["metrics"] },
      ]);
    });

    it("says which metrics a create applies, every part written out", () => {
      const definition = {
        variants: [{ name: "x", weight: 1 }],
        metrics: [{ name: "purchase", kind: "conversion" }, refunds],
      };
      expect(stepLine({ kind: "create", name: "a", definition })).toBe(
        "create     a: x=1 | targeting everyone | coverage 10000 | hash version 1 | " +
          "metrics purchase:conversion:purchase:increase:goal refunds:sum:refund:decrease:guardrail",
      );
    });
  });

  it("compares JSON values deeply, ignoring key order but not array order", () => {
    expect(sameJson({ a: [1, { b: null }], c: "x" }, { c: "x", a: [1, { b: null }] })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
  });
});

describe("apply's planner: holdouts", () => {
  const PURCHASE = { name: "purchase", event: "purchase", kind: "conversion", direction: "increase", role: "goal" };

  /** A holdout as the Worker lists it. */
  function storedHoldout(name: string, fields: Partial<Holdout> = {}): Holdout {
    return {
      name,
      description: null,
      coverage: 500,
      metrics: [],
      created_at_secs: 1_800_000_000,
      updated_at_secs: 1_800_000_000,
      ...fields,
    } as Holdout;
  }

  const holdout = (name: string, definition: DesiredHoldout["definition"]): DesiredHoldout => ({ name, definition });

  it("creates a holdout before the experiments that join it", () => {
    const joining = want("a", { definition: { variants: FIFTY, holdout: "h2026" }, state: "running" });
    const result = plan([], [joining], { current: [], desired: [holdout("h2026", { coverage: 500 })] });
    expect(result).toEqual({
      steps: [
        { kind: "create_holdout", name: "h2026", definition: { coverage: 500 } },
        { kind: "create", name: "a", definition: { variants: FIFTY, holdout: "h2026" } },
        { kind: "start", name: "a" },
      ],
      impossible: [],
    });
  });

  it("plans nothing when the stored holdout is the file's, its metrics' defaults filled in", () => {
    const current = [storedHoldout("h", { description: "Q4", metrics: [PURCHASE] as Holdout["metrics"] })];
    const desired = [
      holdout("h", { coverage: 500, description: "Q4", metrics: [{ name: "purchase", kind: "conversion" }] }),
    ];
    expect(plan([], [], { current, desired })).toEqual({ steps: [], impossible: [] });
  });

  it("replaces a holdout whose definition differs, naming what changed; a description left out is removed", () => {
    const current = [storedHoldout("h", { description: "Q4" })];
    const definition = { coverage: 300, metrics: [{ name: "purchase", kind: "conversion" }] };
    expect(plan([], [], { current, desired: [holdout("h", definition)] }).steps).toEqual([
      { kind: "define_holdout", name: "h", definition, changed: ["coverage", "description", "metrics"] },
    ]);
  });

  it("changes a holdout's coverage while its experiments are drafts that never ran", () => {
    const experiments = [stored("a", { holdout: "h" })];
    const result = plan(experiments, [], { current: [storedHoldout("h")], desired: [holdout("h", { coverage: 300 })] });
    expect(result.steps.map((s) => s.kind)).toEqual(["define_holdout"]);
  });

  it("refuses to change a holdout's coverage once one of its experiments has run, archived ones included", () => {
    for (const ran of [
      stored("a", { holdout: "h", state: "running" }),
      stored("a", { holdout: "h", state: "archived" }),
    ]) {
      const result = plan([ran], [want("b")], {
        current: [storedHoldout("h")],
        desired: [holdout("h", { coverage: 300 })],
      });
      expect(result.impossible).toEqual([
        {
          name: "h",
          holdout: true,
          reason: "coverage can only change while none of the holdout's experiments has run ('a' has) (500 → 300)",
        },
      ]);
      // The rest is still planned, so that the whole plan is shown before it is refused.
      expect(result.steps.map((s) => `${s.kind} ${s.name}`)).toEqual(["create b"]);
    }
  });

  it("still changes the description and metrics of a holdout whose experiments have run", () => {
    const ran = stored("a", { holdout: "h", state: "running" });
    const result = plan([ran], [], {
      current: [storedHoldout("h")],
      desired: [holdout("h", { coverage: 500, description: "now described" })],
    });
    expect(result).toEqual({
      steps: [
        {
          kind: "define_holdout",
          name: "h",
          definition: { coverage: 500, description: "now described" },
          changed: ["description"],
        },
      ],
      impossible: [],
    });
  });

  it("refuses an experiment naming a holdout that is neither stored nor declared", () => {
    const result = plan([], [want("a", { definition: { variants: FIFTY, holdout: "ghost" } })]);
    expect(result).toEqual({
      steps: [],
      impossible: [
        {
          name: "a",
          reason: "no holdout named 'ghost': declare it under holdouts, or create it first (expctl holdout set)",
        },
      ],
    });
  });

  it("lets an experiment join a holdout the Worker has, and keep one it stores", () => {
    const joining = want("a", { definition: { variants: FIFTY, holdout: "h" } });
    expect(plan([], [joining], { current: [storedHoldout("h")], desired: [] }).steps.map((s) => s.kind)).toEqual([
      "create",
    ]);
    expect(plan([stored("a", { holdout: "h" })], [joining]).steps).toEqual([]);
  });

  it("refuses a new holdout for an experiment that has run, in the Worker's terms", () => {
    const joining = want("a", { definition: { variants: FIFTY, holdout: "h" } });
    const result = plan([stored("a", { state: "running" })], [joining], { current: [storedHoldout("h")], desired: [] });
    expect(result.impossible[0]?.reason).toBe(
      "holdout can only change while the experiment is a draft that never ran (none → h)",
    );
  });
});

describe("apply's planner: layers", () => {
  const slice = (name: string, start: number, end: number) => ({ name, range: [start, end] as [number, number] });
  const inLayer = (name: string, start: number, end: number, fields: Partial<DesiredExperiment> = {}) =>
    want(name, { definition: { variants: FIFTY, layer: slice("checkout", start, end) }, ...fields });

  it("starts experiments on disjoint ranges of a layer", () => {
    const result = plan(
      [stored("a", { state: "running", layer: slice("checkout", 0, 5000) })],
      [inLayer("b", 5000, 10_000, { state: "running" })],
    );
    expect(result).toEqual({
      steps: [
        { kind: "create", name: "b", definition: { variants: FIFTY, layer: slice("checkout", 5000, 10_000) } },
        { kind: "start", name: "b" },
      ],
      impossible: [],
    });
  });

  it("refuses a start whose range overlaps that of an experiment still running, planning the rest", () => {
    const result = plan(
      [stored("a", { state: "running", layer: slice("checkout", 0, 5000) })],
      [inLayer("b", 2500, 7500, { state: "running" }), want("c")],
    );
    expect(result.impossible).toEqual([
      {
        name: "b",
        reason:
          "its range [2500, 7500) of layer 'checkout' overlaps [0, 5000) of 'a', which would be running (layer_overlap)",
      },
    ]);
    expect(result.steps.map((s) => `${s.kind} ${s.name}`)).toEqual(["create c"]);
  });

  it("refuses both of two overlapping experiments the file starts", () => {
    const result = plan(
      [],
      [inLayer("a", 0, 6000, { state: "running" }), inLayer("b", 4000, 10_000, { state: "running" })],
    );
    expect(result.impossible.map((i) => i.name)).toEqual(["a", "b"]);
    expect(result.steps).toEqual([]);
  });

  it("does not mind overlapping ranges where one experiment is not running, nor another layer's ranges", () => {
    const result = plan(
      [stored("a", { state: "running", layer: slice("checkout", 0, 5000) })],
      [
        inLayer("draft", 0, 5000),
        want("other", { definition: { variants: FIFTY, layer: slice("search", 0, 5000) }, state: "running" }),
      ],
    );
    expect(result.impossible).toEqual([]);
    expect(result.steps.map((s) => `${s.kind} ${s.name}`)).toEqual(["create draft", "create other", "start other"]);
  });

  it("hands a range over in one file: the start comes after the conclude that frees it, whatever the file's order", () => {
    const result = plan(
      [
        stored("old", { state: "running", layer: slice("checkout", 0, 5000) }),
        stored("new", { layer: slice("checkout", 0, 5000) }),
      ],
      [
        inLayer("new", 0, 5000, { state: "running" }),
        inLayer("old", 0, 5000, { state: "concluded", winner: "treatment" }),
      ],
    );
    expect(result).toEqual({
      steps: [
        { kind: "conclude", name: "old", winner: "treatment" },
        { kind: "start", name: "new" },
      ],
      impossible: [],
    });
  });

  it("refuses to move an experiment's range once it has run, in the Worker's terms", () => {
    const current = stored("a", { state: "concluded", winner: "control", layer: slice("checkout", 0, 5000) });
    const result = plan([current], [inLayer("a", 0, 2500, { state: "concluded", winner: "control" })]);
    expect(result.impossible[0]?.reason).toBe(
      "layer can only change while the experiment is a draft that never ran (checkout [0, 5000) → checkout [0, 2500))",
    );
  });

  it("may move the range of a draft that never ran, with a definition PUT", () => {
    const result = plan([stored("a", { layer: slice("checkout", 0, 5000) })], [inLayer("a", 0, 2500)]);
    expect(result.steps).toEqual([
      {
        kind: "define",
        name: "a",
        definition: { variants: FIFTY, layer: slice("checkout", 0, 2500) },
        changed: ["layer"],
      },
    ]);
  });
});

describe("apply's plan lines and file: holdouts and layers", () => {
  it("says what a new holdout applies, and which fields a changed one replaces", () => {
    expect(stepLine({ kind: "create_holdout", name: "h2026", definition: { coverage: 500, description: "Q4" } })).toBe(
      "create     holdout h2026: coverage 500",
    );
    const metrics = [{ name: "purchase", kind: "conversion" }];
    expect(stepLine({ kind: "create_holdout", name: "h2026", definition: { coverage: 500, metrics } })).toBe(
      "create     holdout h2026: coverage 500 | metrics purchase:conversion:purchase:increase:goal",
    );
    const changed = { kind: "define_holdout", name: "h2026", definition: { coverage: 300 } } as const;
    expect(stepLine({ ...changed, changed: ["coverage", "description"] })).toBe(
      "change     holdout h2026: coverage, description",
    );
  });

  it("says which layer slice and holdout a new experiment applies", () => {
    const definition = {
      variants: FIFTY,
      layer: { name: "checkout", range: [0, 2500] as [number, number] },
      holdout: "h2026",
    };
    expect(stepLine({ kind: "create", name: "a", definition })).toBe(
      "create     a: control=50 treatment=50 | targeting everyone | coverage 10000 | hash version 1 | " +
        "layer checkout [0, 2500) | holdout h2026",
    );
  });

  it("reads holdouts, and experiments' layer and holdout, as the PUTs take them", () => {
    const text = `
holdouts:
  - name: h2026
    coverage: 500
    description: Kept out of 2026's experiments
    metrics: [{name: purchase, kind: conversion}]
experiments:
  - name: a
    variants: [{name: x, weight: 1}]
    layer: {name: checkout, range: [0, 5000]}
    holdout: h2026
`;
    expect(parseApplyFile(text, "x.yaml")).toEqual({
      holdouts: [
        {
          name: "h2026",
          definition: {
            coverage: 500,
            description: "Kept out of 2026's experiments",
            metrics: [{ name: "purchase", kind: "conversion" }],
          },
        },
      ],
      experiments: [
        {
          name: "a",
          definition: {
            variants: [{ name: "x", weight: 1 }],
            layer: { name: "checkout", range: [0, 5000] },
            holdout: "h2026",
          },
        },
      ],
    });
  });

  it("reads a file of holdouts alone, and refuses one that declares neither list", () => {
    expect(parseApplyFile("holdouts: [{name: h, coverage: 1}]\n", "x.yaml")).toEqual({
      holdouts: [{ name: "h", definition: { coverage: 1 } }],
      experiments: [],
    });
    expect(() => parseApplyFile("{}\n", "x.yaml")).toThrow(
      "x.yaml is not a valid experiments file: it declares neither experiments nor holdouts",
    );
  });

  it.each([
    [
      "holdouts: [{name: h, coverage: 5001}]",
      "holdouts[0] (h): holdout coverage must be a whole number of basis points from 1 to 5000, found 5001",
    ],
    ["holdouts: [{name: h, coverage: 0}]", "holdouts[0] (h): holdout coverage must be"],
    [
      "holdouts: [{name: h, coverage: 1, metrics: [{name: p, kind: mean}]}]",
      "holdouts[0] (h): metric kind must be one of",
    ],
    ["holdouts: [{name: h, coverage: 1, members: [a]}]", "holdouts[0].members"],
    ["holdouts: [{name: h}]", "holdouts[0].coverage"],
    ["holdouts: [{name: h, coverage: 1}, {name: h, coverage: 2}]", "holdout 'h' is declared more than once"],
    [
      "experiments: [{name: a, variants: [{name: x, weight: 1}], layer: {name: checkout, range: [5000, 10]}}]",
      "experiments[0] (a): layer range must be [start, end] with whole basis points 0 ≤ start < end ≤ 10000, found [5000, 10]",
    ],
    [
      "experiments: [{name: a, variants: [{name: x, weight: 1}], layer: {name: checkout}}]",
      "experiments[0].layer.range",
    ],
  ])("refuses %s before any call", (text, words) => {
    expect(() => parseApplyFile(text, "x.yaml")).toThrow(UsageError);
    expect(() => parseApplyFile(text, "x.yaml")).toThrow(words);
  });
});
