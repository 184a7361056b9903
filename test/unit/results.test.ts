// experimentResults: counted rows to per-variant totals, days and the SRM check.
import { describe, expect, it } from "vitest";
import { type CountRow, experimentConfig, experimentResults } from "../../src/core";
import { v } from "./helpers";

const row = (variant: string, enrolled: number, day = "2026-11-26", revision = 1): CountRow => ({
  day,
  revision,
  variant,
  enrolled,
  exposures: enrolled * 2,
});

describe("experimentResults", () => {
  it("totals each variant, lists the days in order, and finds a balanced split ok", () => {
    const config = { ...experimentConfig("exp", [v("a", 1), v("b", 1)]), state: "running" as const };
    const rows = [row("a", 300, "2026-11-27"), row("b", 290, "2026-11-27"), row("a", 200), row("b", 210)];
    const results = experimentResults(config, [{ revision: 1, variants: config.variants }], rows, 1);
    expect(results.variants.map((r) => [r.name, r.enrolled, r.exposures, r.expected_share])).toEqual([
      ["a", 500, 1000, 0.5],
      ["b", 500, 1000, 0.5],
    ]);
    expect(results.daily.map((d) => d.day)).toEqual(["2026-11-26", "2026-11-27"]);
    expect(results.srm.status).toBe("ok");
  });

  it("counts a variant called __proto__ like any other", () => {
    const config = { ...experimentConfig("exp", [v("__proto__", 1), v("b", 1)]), state: "running" as const };
    const results = experimentResults(config, [], [row("__proto__", 500), row("b", 500)], 1);
    expect(results.variants.map((r) => r.enrolled)).toEqual([500, 500]);
    expect(results.srm.status).toBe("ok");
    expect(Object.keys(results.daily[0]?.variants ?? {})).toEqual(["__proto__", "b"]);
  });

  it("shares by today's weights before any enrolment, with no observed share", () => {
    const config = { ...experimentConfig("exp", [v("a", 1), v("b", 3)]), state: "running" as const };
    const results = experimentResults(config, [], [], 1);
    expect(results.variants.map((r) => [r.observed_share, r.expected_share])).toEqual([
      [null, 0.25],
      [null, 0.75],
    ]);
    expect(results.srm).toMatchObject({ status: "insufficient_data", statistic: null });
  });
});
