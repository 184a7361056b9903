// The dashboard's pure formatting, without a browser: what operators read in the page.
import { describe, expect, it } from "vitest";
import type { Comparison } from "../../src/client";
import { actorProblem, experimentNameProblem, parseWeight, scheduleProblem } from "../../src/dashboard/checks";
import {
  allowedActions,
  analysisMethod,
  condition,
  confidence,
  coverage,
  DECISION_LABEL,
  difference,
  goalsFirst,
  lift,
  metricMean,
  metricNumber,
  mutation,
  niceCeiling,
  parseCoveragePercent,
  parseUtcInput,
  parseVariants,
  percent,
  pValue,
  scheduleWords,
  signedNumber,
  signedPercent,
  signedPoints,
  utc,
  utcInputValue,
  weightShares,
} from "../../src/dashboard/format";

describe("the dashboard's formatting", () => {
  it.each([
    ["created", "Created"],
    ["updated", "Definition replaced"],
    ["state=running", "Started"],
    ["state=archived", "Archived"],
    ["concluded=treatment", "Concluded, winner treatment"],
    [
      "concluded=control (guardrail errors: treatment worse)",
      "Concluded, winner control: guardrail errors got worse for treatment",
    ],
    ["schedule_skipped=start (layer_overlap)", "Scheduled start skipped (layer_overlap)"],
    [
      "schedule_skipped=conclude (nothing to do while archived)",
      "Scheduled conclusion skipped (nothing to do while archived)",
    ],
    ["schedule_skipped=later (why)", "schedule_skipped=later (why)"],
    ["set_weights", "Weights changed"],
    ["coverage=250", "Coverage set to 2.5%"],
    ["override=user:1:treatment", "Override: user:1 → treatment"],
    ["override_removed=user:1", "Override removed: user:1"],
    ["something_new=1", "something_new=1"],
  ])("words the history entry %s as %s", (text, words) => {
    expect(mutation(text)).toBe(words);
  });

  it("shows weights as shares of their total, and all-zero weights as no share", () => {
    expect(
      weightShares([
        { name: "a", weight: 1 },
        { name: "b", weight: 3 },
      ]),
    ).toEqual([0.25, 0.75]);
    expect(weightShares([{ name: "a", weight: 0 }])).toEqual([0]);
    expect(percent(1 / 3)).toBe("33.3%");
    expect(percent(0.5)).toBe("50%");
  });

  it("reads coverage in basis points as a percentage and back", () => {
    expect([10_000, 2_500, 250, 1, 0].map(coverage)).toEqual(["100%", "25%", "2.5%", "0.01%", "0%"]);
    expect(["25", "2.5", "2,5", "0.01", "100", " 7 "].map(parseCoveragePercent)).toEqual([
      2500, 250, 250, 1, 10_000, 700,
    ]);
    for (const bad of ["", "-1", "100.01", "101", "1e2", "0.001", "abc"])
      expect(parseCoveragePercent(bad), bad).toBeNull();
  });

  it("offers the lifecycle actions the API allows from each state", () => {
    expect(allowedActions("draft")).toEqual({ start: true, conclude: true, archive: true, edit: true });
    expect(allowedActions("running")).toEqual({ start: false, conclude: true, archive: true, edit: true });
    expect(allowedActions("concluded")).toEqual({ start: true, conclude: false, archive: true, edit: false });
    expect(allowedActions("archived")).toEqual({ start: false, conclude: false, archive: false, edit: false });
  });

  it("rounds a chart's axis up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 7, 10, 11, 120, 400, 401].map(niceCeiling)).toEqual([1, 1, 5, 10, 10, 20, 200, 500, 500]);
  });

  it("writes conditions, p-values and times as operators read them", () => {
    expect(condition({ attribute: "country", operator: "in", values: ["DE", "FR"] })).toBe("country in DE, FR");
    expect(condition({ attribute: "beta", operator: "exists", values: [] })).toBe("beta exists");
    expect(condition({ attribute: "plan", operator: "starts_with", values: ["pro"], case_insensitive: true })).toBe(
      "plan starts_with pro (any case)",
    );
    expect([0.4712, 0.0042, 0.00002].map(pValue)).toEqual(["0.47", "0.0042", "< 0.0001"]);
    expect(utc(86_400 + 3_660)).toBe("1970-01-02 01:01 UTC");
  });
});

describe("a metric's numbers as operators read them", () => {
  const comparison = (fields: Partial<Comparison>): Comparison => ({
    variant: "treatment",
    baseline: "control",
    absolute: { estimate: null, ci: null },
    relative: null,
    p_value: null,
    decision: "insufficient_data",
    ...fields,
  });

  it("writes a lift with its sign and a real minus, one decimal, two below 1%, and no sign on zero", () => {
    expect([0.123, -0.012, 0.0042, -0.00004, 0, 12.345, -1].map(signedPercent)).toEqual([
      "+12.3%",
      "−1.2%",
      "+0.42%",
      "0%",
      "0%",
      "+1,234.5%",
      "−100%",
    ]);
    expect([0.052, -0.3].map(signedPoints)).toEqual(["+5.2 pp", "−30 pp"]);
  });

  it("writes a sum's values with three significant digits, whole from 1,000", () => {
    expect([4.567, 0.04567, 123.45, 12_345.6, -2.5, 0].map(metricNumber)).toEqual([
      "4.57",
      "0.0457",
      "123",
      "12,346",
      "−2.5",
      "0",
    ]);
    expect([3.2, -1, 0.0001, -0.00001].map(signedNumber)).toEqual(["+3.2", "−1", "+0.0001", "−0.00001"]);
  });

  it("shows a conversion mean as a rate and a sum's as a number, and no mean without actors", () => {
    expect(metricMean("conversion", 0.15)).toBe("15%");
    expect(metricMean("sum", 4.567)).toBe("4.57");
    expect(metricMean("sum", null)).toBe("—");
  });

  it("shows the relative lift with its interval, or the difference where the baseline's mean is 0", () => {
    const relative = lift(
      comparison({
        absolute: { estimate: 0.05, ci: [-0.001, 0.1] },
        relative: { estimate: 0.123, ci: [-0.012, 0.258] },
        decision: "inconclusive",
      }),
      "conversion",
    );
    expect(relative).toEqual({
      measure: "relative",
      estimate: 0.123,
      ci: [-0.012, 0.258],
      estimateText: "+12.3%",
      intervalText: "−1.2% to +25.8%",
      text: "+12.3% (−1.2% to +25.8%)",
    });
    const points = lift(
      comparison({ absolute: { estimate: 0.2, ci: [0.11, 0.29] }, decision: "better" }),
      "conversion",
    );
    expect(points).toMatchObject({ measure: "absolute", text: "+20 pp (+11 pp to +29 pp)" });
    const units = lift(comparison({ absolute: { estimate: 3.25, ci: [-1.5, 8] }, decision: "inconclusive" }), "sum");
    expect(units?.text).toBe("+3.25 (−1.5 to +8)");
    expect(lift(comparison({}), "sum")).toBeNull();
  });

  it("shows the difference of means a decision rests on, in points for a rate and in the unit for a sum", () => {
    const both = comparison({
      absolute: { estimate: 0.525, ci: [0.2234, 0.8265] },
      relative: { estimate: 3.39, ci: [-2.17, 8.96] },
      decision: "better",
    });
    expect(difference(both, "conversion")?.text).toBe("+52.5 pp (+22.3 pp to +82.7 pp)");
    expect(difference(both, "sum")?.text).toBe("+0.525 (+0.223 to +0.827)");
    expect(difference(comparison({}), "conversion")).toBeNull();
  });

  it("words every decision, and the confidence of the intervals from alpha", () => {
    expect(DECISION_LABEL).toEqual({
      better: "Better",
      worse: "Worse",
      inconclusive: "Inconclusive",
      insufficient_data: "Not enough data yet",
    });
    expect([0.05, 0.01, 0.1].map(confidence)).toEqual(["95%", "99%", "90%"]);
  });

  it("puts goal metrics before guardrails, each in the definition's order", () => {
    const metrics = [
      { name: "refunds", role: "guardrail" },
      { name: "purchase", role: "goal" },
      { name: "latency", role: "guardrail" },
      { name: "upgrade", role: "goal" },
    ];
    expect(goalsFirst(metrics).map((m) => m.name)).toEqual(["purchase", "upgrade", "refunds", "latency"]);
  });

  it("reads the method the address carries, and nothing else", () => {
    expect(["sequential", "fixed", "Fixed", "", null].map(analysisMethod)).toEqual([
      "sequential",
      "fixed",
      null,
      null,
      null,
    ]);
  });
});

describe("variants as an operator types them", () => {
  it("reads one name=weight a line, spaces and blank lines aside", () => {
    expect(parseVariants(" control = 50\n\ntreatment=50 \n")).toEqual([
      { name: "control", weight: 50 },
      { name: "treatment", weight: 50 },
    ]);
  });

  it("reads a line as expctl reads --variant: the name is all before the last =", () => {
    expect(parseVariants("a=b=1\nnew price=2")).toEqual([
      { name: "a=b", weight: 1 },
      { name: "new price", weight: 2 },
    ]);
  });

  it.each([
    ["control=50\n\ntreatment 50", "Variants, line 3: 'treatment 50' is not name=weight."],
    ["control=-1", "Variants, line 1: 'control=-1' is not name=weight."],
    ["control=1.5", "Variants, line 1: 'control=1.5' is not name=weight."],
    [" =5", "Variants, line 1: '=5' is not name=weight."],
    [" \n ", "Give at least one variant, as name=weight."],
  ])("refuses %j, naming the line", (text, message) => {
    expect(() => parseVariants(text)).toThrow(message);
  });
});

describe("what an operator types, checked before it is sent", () => {
  it.each([
    ["", "Enter an actor id."],
    [".", "'.' cannot be an actor id here: a URL path cannot carry it (it reads as a dot segment)."],
    ["..", "'..' cannot be an actor id here: a URL path cannot carry it (it reads as a dot segment)."],
    ["tab\there", "An actor id is 1 to 256 UTF-8 bytes, without control characters."],
    ["é".repeat(129), "An actor id is 1 to 256 UTF-8 bytes, without control characters."],
  ])("refuses the actor %j", (actor, words) => {
    expect(actorProblem(actor)).toBe(words);
  });

  it("lets every other actor the API takes through, dots and slashes among them", () => {
    for (const actor of ["qa:alice", "...", ".a", "a/..", " x", "é".repeat(128)])
      expect(actorProblem(actor), actor).toBeNull();
  });

  it("refuses an experiment name the API would, or that no URL path can carry", () => {
    expect(experimentNameProblem("")).toBe("Enter a name.");
    expect(experimentNameProblem("..")).toMatch(/^'\.\.' cannot be a name here/);
    for (const name of ["-a", "a:b", "a b", "a".repeat(129)]) {
      expect(experimentNameProblem(name), name).toMatch(
        /^A name is 1 to 128 characters: it starts with a letter or a digit/,
      );
    }
    for (const name of ["checkout_v2", "a.b-c", "a".repeat(128)]) expect(experimentNameProblem(name), name).toBeNull();
  });

  it("reads a weight as the engine takes it: an integer in [0, 2^32 - 1]", () => {
    expect(["0", "50", "4294967295", " 7 "].map((text) => parseWeight("a", text))).toEqual([
      { weight: 0 },
      { weight: 50 },
      { weight: 4_294_967_295 },
      { weight: 7 },
    ]);
    for (const text of ["", "-5", "2.5", "4294967296", "abc", "Infinity"]) {
      expect(parseWeight("a", text), text).toEqual({
        problem: "weight of variant 'a' must be an integer in [0, 4294967295]",
      });
    }
  });
});

describe("a schedule as operators read and type it", () => {
  const START = 1_798_102_800; // 2026-12-24 09:00 UTC
  const CONCLUDE = 1_799_312_400; // 2027-01-07 09:00 UTC

  it("words a schedule, each part in UTC, or says that nothing is scheduled", () => {
    expect(scheduleWords({ start_at_secs: START, conclude_at_secs: CONCLUDE, winner: "treatment" })).toBe(
      "Starts 2026-12-24 09:00 UTC, concludes 2027-01-07 09:00 UTC with treatment",
    );
    expect(scheduleWords({ start_at_secs: START, conclude_at_secs: null, winner: null })).toBe(
      "Starts 2026-12-24 09:00 UTC",
    );
    expect(scheduleWords({ start_at_secs: null, conclude_at_secs: CONCLUDE, winner: "control" })).toBe(
      "Concludes 2027-01-07 09:00 UTC with control",
    );
    expect(scheduleWords(null)).toBe("Nothing scheduled");
  });

  it("reads a datetime-local value as UTC, whatever the machine's zone, and writes one back", () => {
    expect(parseUtcInput("2026-12-24T09:00")).toBe(START);
    expect(parseUtcInput("2026-12-24T09:00:30")).toBe(START + 30);
    for (const bad of [
      "",
      "2026-12-24",
      "2026-02-30T09:00",
      "2026-13-01T09:00",
      "2026-12-24T24:00",
      "24/12/2026 09:00",
    ]) {
      expect(parseUtcInput(bad), bad).toBeNull();
    }
    expect(utcInputValue(START + 59)).toBe("2026-12-24T09:00");
  });

  const VARIANTS = [
    { name: "control", weight: 50 },
    { name: "treatment", weight: 50 },
  ];
  const NOW = START - 3_600;
  const at = (start: number | null, conclude: number | null, winner: string | null) => ({
    start_at_secs: start,
    conclude_at_secs: conclude,
    winner,
  });

  it.each([
    [at(START, CONCLUDE, "treatment"), null],
    [at(START, null, null), null],
    [at(null, CONCLUDE, "control"), null],
    [at(null, null, null), null],
    [at(NOW, null, null), ["start_at_secs", "The start must be in the future: it is now 2026-12-24 08:00 UTC."]],
    [
      at(null, NOW - 60, "control"),
      ["conclude_at_secs", "The conclusion must be in the future: it is now 2026-12-24 08:00 UTC."],
    ],
    [
      at(START, START, "control"),
      ["conclude_at_secs", "The conclusion must come after the start (2026-12-24 09:00 UTC)."],
    ],
    [at(null, CONCLUDE, null), ["winner", "Choose the winner everyone gets once it concludes."]],
    [
      at(START, null, "control"),
      ["winner", "A winner goes with a conclusion: set when to conclude, or choose no winner."],
    ],
    [at(null, CONCLUDE, "ghost"), ["winner", "'ghost' is not a variant of this experiment."]],
  ] as const)("judges %j by the engine's rules, on the field the API would point at", (schedule, expected) => {
    const problem = scheduleProblem(schedule, VARIANTS, NOW);
    expect(problem === null ? null : [problem.field, problem.problem]).toEqual(expected);
  });
});
