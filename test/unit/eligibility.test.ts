// Who may enter an experiment (rule 6): targeting conditions and coverage, in the
// engine. Statistical checks use fixed inputs, so they are deterministic.
import { describe, expect, it } from "vitest";
import {
  coverageBucket,
  ExperimentError,
  ExperimentService,
  experimentBucket,
  experimentConfig,
  InMemoryExperimentStore,
  type TargetingCondition,
} from "../../src/core";
import { errorOf, RecordingExposureSink, v } from "./helpers";

const plan = (values: string[]): TargetingCondition => ({
  attribute: "plan",
  operator: "in",
  values,
  case_insensitive: false,
});

async function running(options: Parameters<typeof experimentConfig>[2] = {}) {
  const store = new InMemoryExperimentStore();
  const sink = new RecordingExposureSink();
  const svc = new ExperimentService(store, { exposureSink: sink });
  await svc.create(experimentConfig("exp", [v("control", 50), v("treatment", 50)], options));
  await svc.start("exp");
  return { svc, store, sink };
}

/** The variant, or `null` when the actor is not eligible (any other error fails the test). */
async function variantOrIneligible(svc: ExperimentService, actor: string): Promise<string | null> {
  try {
    return await svc.assign("exp", actor);
  } catch (error) {
    if (error instanceof ExperimentError && error.code === "not_eligible") return null;
    throw error;
  }
}

/** The 2×2 chi-square statistic of two boolean series (no continuity correction). */
function chiSquare2x2(pairs: Iterable<[boolean, boolean]>): number {
  const cells = [0, 0, 0, 0]; // [a][b] as a * 2 + b
  for (const [a, b] of pairs) cells[(a ? 2 : 0) + (b ? 1 : 0)] = (cells[(a ? 2 : 0) + (b ? 1 : 0)] ?? 0) + 1;
  const [n00 = 0, n01 = 0, n10 = 0, n11 = 0] = cells;
  const total = n00 + n01 + n10 + n11;
  const rows = [n00 + n01, n10 + n11];
  const columns = [n00 + n10, n01 + n11];
  let statistic = 0;
  for (const [i, j, observed] of [
    [0, 0, n00],
    [0, 1, n01],
    [1, 0, n10],
    [1, 1, n11],
  ] as const) {
    const expected = ((rows[i] ?? 0) * (columns[j] ?? 0)) / total;
    statistic += (observed - expected) ** 2 / expected;
  }
  return statistic;
}

/** 2×2 chi-square critical value at p = 0.001 (df = 1). */
const CRITICAL_0_001 = 10.828;

describe("targeting", () => {
  it("enrols an actor whose attributes satisfy every condition, and refuses one that does not", async () => {
    const { svc, store, sink } = await running({ targeting: [plan(["pro"])] });
    await svc.assign("exp", "user:1", { plan: "pro" });
    const refused = await errorOf(svc.assign("exp", "user:2", { plan: "free" }), "not_eligible");
    expect(refused.message).toBe("actor is not eligible for experiment 'exp': targeting[0] (plan in) does not hold");
    expect(await store.getAssignment("exp", "user:2")).toBeNull();
    expect(sink.records.map((r) => r.actor)).toEqual(["user:1"]);
  });

  it("keeps an enrolled actor in, whatever its attributes say later (once enrolled, always enrolled)", async () => {
    const { svc } = await running({ targeting: [plan(["pro"])] });
    const variant = await svc.assign("exp", "user:1", { plan: "pro" });
    expect(await svc.assign("exp", "user:1", { plan: "free" })).toBe(variant);
    expect(await svc.assign("exp", "user:1")).toBe(variant);
    await errorOf(svc.assign("exp", "user:2", { plan: "free" }), "not_eligible");
  });

  it("is ignored by overrides, so QA reaches any variant", async () => {
    const { svc } = await running({ targeting: [plan(["pro"])], coverage: 0 });
    await svc.setOverride("exp", "qa:1", "treatment");
    expect(await svc.assign("exp", "qa:1", { plan: "free" })).toBe("treatment");
  });

  it("is ignored once concluded: everyone sees the winner", async () => {
    const { svc } = await running({ targeting: [plan(["pro"])], coverage: 0 });
    await svc.conclude("exp", "control");
    expect(await svc.assign("exp", "user:9", { plan: "free" })).toBe("control");
  });
});

describe("coverage", () => {
  it("at 2,500 basis points lets between 24 % and 26 % of 20,000 sequential actors in", async () => {
    const { svc } = await running({ coverage: 2500 });
    let eligible = 0;
    for (let i = 0; i < 20_000; i++) if ((await variantOrIneligible(svc, `user:${i}`)) !== null) eligible++;
    expect(eligible / 20_000).toBeGreaterThanOrEqual(0.24);
    expect(eligible / 20_000).toBeLessThanOrEqual(0.26);
  });

  it("raised from 2,500 to 5,000 keeps every enrolled actor with the same variant", async () => {
    const { svc } = await running({ coverage: 2500 });
    const before = new Map<string, string>();
    for (let i = 0; i < 2000; i++) {
      const variant = await variantOrIneligible(svc, `user:${i}`);
      if (variant !== null) before.set(`user:${i}`, variant);
    }
    await svc.setCoverage("exp", 5000);
    for (const [actor, variant] of before) expect(await svc.assign("exp", actor)).toBe(variant);
  });

  it("lowered to 1,000 keeps every sticky actor while new actors follow 10 %", async () => {
    const { svc } = await running({ coverage: 5000 });
    const sticky = new Map<string, string>();
    for (let i = 0; i < 2000; i++) {
      const variant = await variantOrIneligible(svc, `user:${i}`);
      if (variant !== null) sticky.set(`user:${i}`, variant);
    }
    await svc.setCoverage("exp", 1000);
    for (const [actor, variant] of sticky) expect(await svc.assign("exp", actor)).toBe(variant);
    let newcomers = 0;
    for (let i = 100_000; i < 110_000; i++) if ((await variantOrIneligible(svc, `user:${i}`)) !== null) newcomers++;
    expect(newcomers / 10_000).toBeGreaterThanOrEqual(0.09);
    expect(newcomers / 10_000).toBeLessThanOrEqual(0.11);
  });

  it("of one experiment is independent of another's over 100,000 sequential actors (p = 0.001)", () => {
    const pairs = function* (): Generator<[boolean, boolean]> {
      for (let i = 0; i < 100_000; i++) {
        yield [coverageBucket("exp_a", `user:${i}`) < 5000, coverageBucket("exp_b", `user:${i}`) < 5000];
      }
    };
    expect(chiSquare2x2(pairs())).toBeLessThan(CRITICAL_0_001);
  });

  it("is independent of the experiment's own variant bucket over 100,000 sequential actors (p = 0.001)", () => {
    for (const experiment of ["checkout_v2", "onboarding_v3", "exp_a"]) {
      const pairs = function* (): Generator<[boolean, boolean]> {
        for (let i = 0; i < 100_000; i++) {
          const actor = `user:${i}`;
          yield [coverageBucket(experiment, actor) < 5000, experimentBucket(experiment, actor) < 5000];
        }
      };
      expect(chiSquare2x2(pairs()), experiment).toBeLessThan(CRITICAL_0_001);
    }
  });

  it("ramps only a draft or running experiment, and records coverage=N", async () => {
    const { svc } = await running();
    const config = await svc.setCoverage("exp", 2500, "ops");
    expect(config.coverage).toBe(2500);
    expect((await svc.history("exp", 1))[0]).toMatchObject({ mutation: "coverage=2500", actor: "ops" });
    await svc.conclude("exp", "control");
    await errorOf(svc.setCoverage("exp", 5000), "not_running");
    await svc.archive("exp");
    await errorOf(svc.setCoverage("exp", 5000), "archived");
  });

  it.each([-1, 10_001, 2.5, Number.NaN])(
    "refuses coverage %d as invalid_config, changing nothing",
    async (coverage) => {
      const { svc } = await running({ coverage: 3000 });
      await errorOf(svc.setCoverage("exp", coverage), "invalid_config");
      const definition = { variants: [v("a", 1)], description: null, exclusion_group: null, coverage };
      await errorOf(svc.define("other", definition), "invalid_config");
      expect((await svc.status("exp")).coverage).toBe(3000);
    },
  );

  it("accepts the bounds 0 and 10,000, and defaults to 10,000", async () => {
    const { svc } = await running();
    expect((await svc.status("exp")).coverage).toBe(10_000);
    for (const coverage of [0, 10_000]) expect((await svc.setCoverage("exp", coverage)).coverage).toBe(coverage);
  });
});

describe("a config's targeting", () => {
  it("is checked when saved: a bad condition is invalid_config naming it, and nothing is stored", async () => {
    const { svc } = await running();
    const targeting = [plan(["pro"]), { ...plan(["x.y"]), attribute: "app_version", operator: "semver_gt" as const }];
    const definition = { variants: [v("a", 1)], description: null, exclusion_group: null, targeting };
    const error = await errorOf(svc.define("new", definition), "invalid_config");
    expect(error.message).toContain("targeting[1] (app_version)");
    await errorOf(svc.status("new"), "not_found");
  });

  it("is kept across state changes and shown by every read", async () => {
    const { svc } = await running({ targeting: [plan(["pro"])], coverage: 4000 });
    await svc.conclude("exp", "control");
    expect(await svc.status("exp")).toMatchObject({ targeting: [plan(["pro"])], coverage: 4000 });
    expect((await svc.list())[0]).toMatchObject({ targeting: [plan(["pro"])], coverage: 4000 });
  });
});
