// How `expctl results` words an experiment's results: pure formatting of hand-written
// answers (the shapes of GET /v1/admin/experiments/{name}/results), no Worker.
import { describe, expect, it } from "vitest";
import {
  amountText,
  changeCells,
  confidenceLevel,
  metricHeading,
  metricResultsText,
  pValueText,
  resultsText,
  UNTRUSTWORTHY,
} from "../../src/cli/results";
import type { Comparison, ExperimentResults, MetricResults } from "../../src/client";

type Analysis = ExperimentResults["analysis"];

const SEQUENTIAL: Analysis = { method: "sequential", alpha: 0.05, tuning: 5000, trustworthy: true };
const FIXED: Analysis = { method: "fixed", alpha: 0.05, tuning: null, trustworthy: true };

function answer(fields: Partial<ExperimentResults> = {}): ExperimentResults {
  return {
    experiment: "checkout_v2",
    state: "running",
    hash_version: 1,
    as_of_secs: 1_800_000_000,
    variants: [
      { name: "control", weight: 50, enrolled: 200, exposures: 410, observed_share: 0.5, expected_share: 0.5 },
      { name: "treatment", weight: 50, enrolled: 200, exposures: 390, observed_share: 0.5, expected_share: 0.5 },
    ],
    srm: { test: "chi_square", statistic: 0, df: 1, p_value: 1, threshold: 0.001, status: "ok" },
    daily: [],
    analysis: SEQUENTIAL,
    metrics: [],
    ...fields,
  };
}

function comparison(fields: Partial<Comparison> = {}): Comparison {
  return {
    variant: "treatment",
    baseline: "control",
    absolute: { estimate: 0.05, ci: [-0.01, 0.11] },
    relative: { estimate: 0.5, ci: [-0.1, 1.1] },
    p_value: null,
    decision: "inconclusive",
    ...fields,
  };
}

/** A conversion goal: 10 % of control's 200 actors converted, 15 % of treatment's. */
function purchase(fields: Partial<MetricResults> = {}): MetricResults {
  return {
    name: "purchase",
    event: "purchase",
    kind: "conversion",
    direction: "increase",
    role: "goal",
    unattributed: 0,
    variants: [
      { name: "control", n: 200, sum: 20, sum_squares: 20, mean: 0.1, variance: 0.0904 },
      { name: "treatment", n: 200, sum: 30, sum_squares: 30, mean: 0.15, variance: 0.1281 },
    ],
    comparisons: [comparison()],
    ...fields,
  };
}

/** A sum guardrail: refunds per actor, lower is better. */
function refunds(fields: Partial<MetricResults> = {}): MetricResults {
  return {
    name: "refunds",
    event: "refund",
    kind: "sum",
    direction: "decrease",
    role: "guardrail",
    unattributed: 3,
    variants: [
      { name: "control", n: 200, sum: 250, sum_squares: 2500, mean: 1.25, variance: 11.0 },
      { name: "treatment", n: 200, sum: 500, sum_squares: 5000, mean: 2.5, variance: 18.9 },
    ],
    comparisons: [
      comparison({
        absolute: { estimate: 1.25, ci: [0.2, 2.3] },
        relative: { estimate: 1, ci: [0.16, 1.84] },
        decision: "worse",
      }),
    ],
    ...fields,
  };
}

/** The line of one metric's table (sequential, α 0.05) whose first cell is `variant`. */
const row = (metric: MetricResults, variant: string) =>
  metricResultsText(metric, SEQUENTIAL)
    .split("\n")
    .find((line) => line.startsWith(`${variant} `));

describe("expctl results, as text", () => {
  it("prints the counts, the analysis, then each metric with goals first and guardrails marked", () => {
    const text = resultsText(answer({ metrics: [refunds(), purchase()] }));
    expect(text).toBe(
      "VARIANT    WEIGHT  ENROLLED  EXPOSURES  OBSERVED  EXPECTED\n" +
        "control    50      200       410        50.00 %   50.00 %\n" +
        "treatment  50      200       390        50.00 %   50.00 %\n" +
        "SRM: ok (chi-square 0.000, df 1, p 1.00, threshold 0.001)\n" +
        "\n" +
        "analysis: sequential, alpha 0.05 (95% intervals, valid however often they are read; tuning 5000)\n" +
        "\n" +
        "purchase: goal, conversion of event purchase, higher is better\n" +
        "VARIANT    N    MEAN     LIFT      95% CI                 DECISION\n" +
        "control    200  10.00 %  -         -                      baseline\n" +
        "treatment  200  15.00 %  +50.00 %  [-10.00 %, +110.00 %]  inconclusive\n" +
        "\n" +
        "refunds: GUARDRAIL, sum of event refund, lower is better, 3 events unattributed\n" +
        "VARIANT    N    MEAN  LIFT       95% CI                 DECISION\n" +
        "control    200  1.25  -          -                      baseline\n" +
        "treatment  200  2.50  +100.00 %  [+16.00 %, +184.00 %]  worse\n",
    );
  });

  it("shows a conversion's mean as a share of actors, a sum's as an amount per actor", () => {
    expect(row(purchase(), "control")).toMatch(/^control\s+200\s+10\.00 %\s+-\s+-\s+baseline$/);
    expect(row(refunds(), "control")).toMatch(/^control\s+200\s+1\.25\s+-\s+-\s+baseline$/);
  });

  it("falls back to the absolute difference when there is no relative one: points for a conversion, marked for a sum", () => {
    const zero = { estimate: null, ci: null } as const;
    const conversion = comparison({
      relative: null,
      absolute: { estimate: 0.05, ci: [0.01, 0.09] },
      decision: "better",
    });
    expect(changeCells("conversion", conversion)).toEqual(["+5.00 pp", "[+1.00 pp, +9.00 pp]"]);
    const sum = comparison({ relative: null, absolute: { estimate: -1.5, ci: [-2.75, -0.25] } });
    expect(changeCells("sum", sum)).toEqual(["-1.50 (absolute)", "[-2.75, -0.25]"]);
    expect(changeCells("sum", comparison({ relative: null, absolute: zero }))).toEqual(["-", "-"]);

    // A baseline mean of 0: no relative lift, so the table shows the absolute one.
    const metric = purchase({
      variants: [
        { name: "control", n: 200, sum: 0, sum_squares: 0, mean: 0, variance: 0 },
        { name: "treatment", n: 200, sum: 10, sum_squares: 10, mean: 0.05, variance: 0.0477 },
      ],
      comparisons: [conversion],
    });
    expect(row(metric, "control")).toMatch(/^control\s+200\s+0\.00 %\s+-\s+-\s+baseline$/);
    expect(row(metric, "treatment")).toMatch(
      /^treatment\s+200\s+5\.00 %\s+\+5\.00 pp\s+\[\+1\.00 pp, \+9\.00 pp\]\s+better$/,
    );
  });

  it("says 'not enough data' and shows no lift when a comparison has too little data", () => {
    const metric = purchase({
      variants: [
        { name: "control", n: 1, sum: 0, sum_squares: 0, mean: 0, variance: null },
        { name: "treatment", n: 0, sum: 0, sum_squares: 0, mean: null, variance: null },
      ],
      comparisons: [
        comparison({ absolute: { estimate: null, ci: null }, relative: null, decision: "insufficient_data" }),
      ],
    });
    expect(row(metric, "treatment")).toMatch(/^treatment\s+0\s+-\s+-\s+-\s+not enough data$/);
  });

  it("adds a P column with the fixed method, and says which method made the intervals", () => {
    const metrics = [
      purchase({ comparisons: [comparison({ p_value: 0.0432, decision: "better" })] }),
      refunds({ comparisons: [comparison({ p_value: 0.000_012, decision: "worse" })] }),
    ];
    const text = resultsText(answer({ analysis: FIXED, metrics }));
    expect(text).toContain(
      "analysis: fixed (Welch's t test), alpha 0.05 (95% intervals and p-values, valid when read once, at a sample size fixed in advance)\n",
    );
    expect(text).toMatch(/^VARIANT\s+N\s+MEAN\s+LIFT\s+95% CI\s+P\s+DECISION$/m);
    expect(text).toMatch(/^control\s+200\s+10\.00 %\s+-\s+-\s+-\s+baseline$/m);
    expect(text).toMatch(/^treatment\s+200\s+15\.00 %\s+\+50\.00 %\s+\[-10\.00 %, \+110\.00 %\]\s+0\.043\s+better$/m);
    expect(text).toMatch(/^treatment\s+200\s+2\.50\s+.*\s+<0\.001\s+worse$/m);
    // The sequential method has no p-value, and no P column.
    expect(resultsText(answer({ metrics }))).not.toMatch(/\bP\b/);
  });

  it("notes the absolute difference when the relative interval seems to contradict the decision", () => {
    // Welch's test on the difference says better; the delta-method relative interval, which
    // also carries the baseline mean's uncertainty, still includes 0.
    const borderline = comparison({
      absolute: { estimate: 0.1004, ci: [0.0132, 0.1876] },
      relative: { estimate: 0.44, ci: [-0.0335, 0.9135] },
      p_value: 0.025,
      decision: "better",
    });
    const text = metricResultsText(purchase({ comparisons: [borderline] }), FIXED);
    expect(text).toMatch(/^treatment\s+200\s+15\.00 %\s+\+44\.00 %\s+\[-3\.35 %, \+91\.35 %\]\s+0\.025\s+better\n/m);
    expect(
      text.endsWith(
        "note: treatment is better by its absolute difference, +10.04 pp [+1.32 pp, +18.76 pp]; " +
          "the relative interval also carries the uncertainty of the baseline's mean\n",
      ),
    ).toBe(true);
    // No note where they agree, nor without a difference to state.
    expect(metricResultsText(purchase(), SEQUENTIAL)).not.toContain("note:");
    const none = comparison({ absolute: { estimate: null, ci: null }, relative: null, decision: "insufficient_data" });
    expect(metricResultsText(purchase({ comparisons: [none] }), SEQUENTIAL)).not.toContain("note:");
  });

  it("names the confidence level from alpha", () => {
    expect(confidenceLevel(0.05)).toBe("95");
    expect(confidenceLevel(0.1)).toBe("90");
    expect(confidenceLevel(0.01)).toBe("99");
    expect(confidenceLevel(0.025)).toBe("97.5");
    const text = resultsText(answer({ analysis: { ...SEQUENTIAL, alpha: 0.1 }, metrics: [purchase()] }));
    expect(text).toContain("analysis: sequential, alpha 0.1 (90% intervals");
    expect(text).toMatch(/^VARIANT\s+N\s+MEAN\s+LIFT\s+90% CI\s+DECISION$/m);
  });

  it("warns, right after the SRM line, when the sample-ratio check makes the comparisons untrustworthy", () => {
    const srm = { test: "chi_square", statistic: 40, df: 1, p_value: 2.5e-10, threshold: 0.001, status: "mismatch" };
    const text = resultsText(
      answer({ srm: srm as ExperimentResults["srm"], analysis: { ...SEQUENTIAL, trustworthy: false } }),
    );
    expect(text).toContain(`SRM: mismatch (chi-square 40.000, df 1, p 2.50e-10, threshold 0.001)\n${UNTRUSTWORTHY}\n`);
    expect(UNTRUSTWORTHY).toMatch(/^warning: sample ratio mismatch: .* no comparison below can be trusted/);
    expect(resultsText(answer())).not.toContain("warning");
  });

  it("says so when the experiment has no metrics, without an analysis line", () => {
    const text = resultsText(answer());
    expect(text).toMatch(/SRM: ok .*\n\nmetrics: none\n$/);
    expect(text).not.toContain("analysis:");
  });

  it("shows each variant's row even with three variants, each compared with the baseline", () => {
    const metric = purchase({
      variants: [
        { name: "a", n: 100, sum: 10, sum_squares: 10, mean: 0.1, variance: 0.09 },
        { name: "b", n: 100, sum: 12, sum_squares: 12, mean: 0.12, variance: 0.1 },
        { name: "c", n: 100, sum: 8, sum_squares: 8, mean: 0.08, variance: 0.07 },
      ],
      comparisons: [
        comparison({ variant: "b", baseline: "a", relative: { estimate: 0.2, ci: [-0.5, 0.9] } }),
        comparison({ variant: "c", baseline: "a", relative: { estimate: -0.2, ci: [-0.8, 0.4] } }),
      ],
    });
    expect(row(metric, "a")).toMatch(/^a\s+100\s+10\.00 %\s+-\s+-\s+baseline$/);
    expect(row(metric, "b")).toMatch(/^b\s+100\s+12\.00 %\s+\+20\.00 %\s+\[-50\.00 %, \+90\.00 %\]\s+inconclusive$/);
    expect(row(metric, "c")).toMatch(/^c\s+100\s+8\.00 %\s+-20\.00 %\s+\[-80\.00 %, \+40\.00 %\]\s+inconclusive$/);
  });
});

describe("the numbers in the text", () => {
  it("writes amounts with two decimals, and with two significant digits below 0.01", () => {
    expect(amountText(0)).toBe("0.00");
    expect(amountText(1234.5)).toBe("1234.50");
    expect(amountText(-2.5)).toBe("-2.50");
    expect(amountText(0.25)).toBe("0.25");
    expect(amountText(0.0045)).toBe("0.0045");
    expect(amountText(1.5e-7)).toBe("1.5e-7");
  });

  it("writes p-values with three decimals, and the smallest as <0.001", () => {
    expect(pValueText(0.5)).toBe("0.500");
    expect(pValueText(0.001)).toBe("0.001");
    expect(pValueText(0.000_99)).toBe("<0.001");
    expect(pValueText(null)).toBe("-");
  });

  it("gives no sign to a change that rounds to zero", () => {
    const tiny = comparison({ relative: { estimate: -0.000_01, ci: [-0.000_04, 0.000_02] } });
    expect(changeCells("sum", tiny)).toEqual(["0.00 %", "[0.00 %, 0.00 %]"]);
  });

  it("heads a metric with its role, kind, event and direction, and its unattributed events", () => {
    expect(metricHeading(purchase())).toBe("purchase: goal, conversion of event purchase, higher is better");
    expect(metricHeading(refunds({ unattributed: 1 }))).toBe(
      "refunds: GUARDRAIL, sum of event refund, lower is better, 1 event unattributed",
    );
  });
});
