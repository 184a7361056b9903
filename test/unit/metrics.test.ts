// An experiment's metrics (issue 21, section 1): the engine's rules, each refusal naming
// the offending field under /metrics, and the defaults a definition leaves out.
import { describe, expect, it } from "vitest";
import {
  defineExperiment,
  ExperimentError,
  experimentConfig,
  LIMITS,
  type MetricConfig,
  metricConfig,
  validateConfig,
} from "../../src/core";
import { makeSvc, v } from "./helpers";

const purchase: MetricConfig = {
  name: "purchase",
  event: "purchase",
  kind: "conversion",
  direction: "increase",
  role: "goal",
};

/** The `invalid_config` that validating a config with `metrics` throws. */
function refusal(metrics: unknown[]): ExperimentError {
  const config = experimentConfig("e", [v("a", 1)], { metrics: metrics as MetricConfig[] });
  try {
    validateConfig(config);
  } catch (error) {
    if (error instanceof ExperimentError && error.code === "invalid_config") return error;
    throw error;
  }
  throw new Error("expected invalid_config, nothing was thrown");
}

describe("a metric's defaults", () => {
  it("listen to the metric's own name, count an increase as better and make it a goal", () => {
    expect(metricConfig({ name: "purchase", kind: "conversion" })).toEqual(purchase);
  });

  it("keep what the definition gives", () => {
    const refunds = {
      name: "refunds",
      event: "refund",
      kind: "sum",
      direction: "decrease",
      role: "guardrail",
    } as const;
    expect(metricConfig(refunds)).toEqual(refunds);
  });

  it("are filled in when an experiment is defined, and no metrics means none", () => {
    const definition = { variants: [v("a", 1)], description: null, exclusion_group: null };
    const { config } = defineExperiment(
      "e",
      { ...definition, metrics: [{ name: "purchase", kind: "conversion" }] },
      null,
      1,
    );
    expect(config.metrics).toEqual([purchase]);
    expect(defineExperiment("e", definition, null, 1).config.metrics).toEqual([]);
  });
});

describe("the metric rules", () => {
  it("take ten metrics of every kind, direction and role", () => {
    const metrics = Array.from({ length: LIMITS.maxMetrics }, (_, i) => ({
      name: `m${i}`,
      event: i % 2 === 0 ? `m${i}` : "shared.event-1",
      kind: i % 2 === 0 ? "conversion" : "sum",
      direction: i % 3 === 0 ? "decrease" : "increase",
      role: i % 4 === 0 ? "guardrail" : "goal",
    }));
    expect(() =>
      validateConfig(experimentConfig("e", [v("a", 1)], { metrics: metrics as MetricConfig[] })),
    ).not.toThrow();
  });

  it("refuse an eleventh metric, naming /metrics", () => {
    const metrics = Array.from({ length: LIMITS.maxMetrics + 1 }, (_, i) => ({ ...purchase, name: `m${i}` }));
    expect(refusal(metrics).errors).toEqual([
      { pointer: "/metrics", detail: "must hold at most 10 metrics, found 11" },
    ]);
  });

  it.each([
    ["an empty name", { ...purchase, name: "" }, "/metrics/0/name", /^must match /],
    ["a name with a colon", { ...purchase, name: "a:b" }, "/metrics/0/name", /^must match /],
    ["a name with a space", { ...purchase, name: "a b" }, "/metrics/0/name", /^must match /],
    ["a name of 129 characters", { ...purchase, name: "a".repeat(129) }, "/metrics/0/name", /^must match /],
    [
      "a name with a line feed",
      { ...purchase, name: "a\nb" },
      "/metrics/0/name",
      /^must not contain control characters, found U\+000A$/,
    ],
    [
      "an event with NEL",
      { ...purchase, event: "a\u0085" },
      "/metrics/0/event",
      /^must not contain control characters, found U\+0085$/,
    ],
    ["an unknown kind", { ...purchase, kind: "mean" }, "/metrics/0/kind", /^must be one of conversion, sum$/],
    [
      "an unknown direction",
      { ...purchase, direction: "up" },
      "/metrics/0/direction",
      /^must be one of increase, decrease$/,
    ],
    ["an unknown role", { ...purchase, role: "primary" }, "/metrics/0/role", /^must be one of goal, guardrail$/],
  ])("refuse %s, naming the field", (_, metric, pointer, detail) => {
    const error = refusal([metric]);
    expect(error.errors).toEqual([{ pointer, detail: expect.stringMatching(detail) }]);
    expect(error.message).not.toContain("\n");
  });

  it("refuse a name used twice, at the second one", () => {
    const error = refusal([purchase, { ...purchase, name: "revenue" }, { ...purchase, kind: "sum" }]);
    expect(error.errors).toEqual([{ pointer: "/metrics/2/name", detail: "must be unique within the experiment" }]);
    expect(error.message).toBe("duplicate metric name: 'purchase'");
  });

  it("let two metrics listen to one event", () => {
    const count = { ...purchase, name: "purchases", kind: "sum" } as const;
    expect(() => validateConfig(experimentConfig("e", [v("a", 1)], { metrics: [purchase, count] }))).not.toThrow();
  });
});

describe("metrics over the service", () => {
  it("store nothing when a metric is refused", async () => {
    const svc = makeSvc();
    const definition = { variants: [v("a", 1)], description: null, exclusion_group: null };
    const bad = { ...definition, metrics: [{ name: "purchase", kind: "count" as "sum" }] };
    await expect(svc.define("e", bad)).rejects.toMatchObject({ code: "invalid_config" });
    await expect(svc.status("e")).rejects.toMatchObject({ code: "not_found" });
  });

  it("change while running, recorded as an update, the other metrics kept as defined", async () => {
    const svc = makeSvc();
    const definition = { variants: [v("a", 1), v("b", 1)], description: null, exclusion_group: null };
    await svc.define("e", { ...definition, metrics: [{ name: "purchase", kind: "conversion" }] });
    await svc.start("e");
    const guardrail = { name: "errors", kind: "sum", direction: "decrease", role: "guardrail" } as const;
    const { config, created } = await svc.define("e", {
      ...definition,
      metrics: [{ name: "purchase", kind: "conversion" }, guardrail],
    });
    expect(created).toBe(false);
    expect(config.state).toBe("running");
    expect(config.revision).toBe(1);
    expect(config.metrics).toEqual([purchase, { ...guardrail, event: "errors" }]);
    expect((await svc.history("e", 0)).map((r) => r.mutation)).toEqual(["updated", "state=running", "created"]);
  });
});
