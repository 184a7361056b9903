// The Results panel's metrics (issue 21 §5) in Debian's Chromium against the real Worker
// under `wrangler dev`: actors assigned and their events tracked over HTTP, counted by the
// Worker's own queue consumer, then read off the page as an operator reads them.
//
// `UPDATE_SCREENSHOTS=1 npx vitest run --project browser test/browser/metrics.test.ts`
// writes docs/dashboard-metrics.png; otherwise it, and the phone screenshots, go to the
// system's temporary directory.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Comparison, ExperimentResults, ExperimentsClient, MetricDefinition } from "../../src/client";
import { experimentBucketV2 } from "../../src/core/hash";
import { selectVariant } from "../../src/core/select";
import { DECISION_LABEL, percent, pValue, signedNumber, signedPercent, signedPoints } from "../../src/dashboard/format";
import {
  type DashboardHarness,
  openDashboard,
  openExperiment,
  resultsSection,
  signIn,
  startDashboardHarness,
  until,
} from "./support/dashboard";

const DESKTOP = { width: 1280, height: 900 };
const PHONES = [
  { width: 375, height: 812 },
  { width: 320, height: 568 },
];
const FIFTY = [
  { name: "control", weight: 50 },
  { name: "treatment", weight: 50 },
];
const EXPERIMENT = "checkout_metrics";
const ACTORS = 200;
/** Defined guardrail first: the page must still show the goals first. */
const METRICS: MetricDefinition[] = [
  { name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" },
  { name: "purchase", kind: "conversion" },
  { name: "upgrade", kind: "conversion" },
  { name: "survey", kind: "sum" },
];
/** 150 actors, four of five in treatment: a sample-ratio mismatch. */
const SKEWED = "skewed_checkout";
const NO_METRICS = "no_metrics";

/** What the test sent, per variant: the truth the page's numbers are checked against. */
interface Tally {
  n: number;
  purchased: number;
  upgraded: number;
  refunds: number;
}

let harness: DashboardHarness;
let api: ExperimentsClient;
let tally: Record<string, Tally>;

beforeAll(async () => {
  harness = await startDashboardHarness();
  api = harness.api;
  await api.define(EXPERIMENT, {
    variants: FIFTY,
    hash_version: 2,
    description: "One-page checkout, judged by purchases",
    metrics: METRICS,
  });
  await api.start(EXPERIMENT);
  tally = await enrolAndTrack(api);
  // Its own event: another experiment's `purchase` events would count as not enrolled in this one, and this one's there.
  await api.define(SKEWED, {
    variants: FIFTY,
    hash_version: 2,
    metrics: [{ name: "orders", event: "order", kind: "conversion" }],
  });
  await api.start(SKEWED);
  await enrolSkewed(api);
  await api.define(NO_METRICS, { variants: FIFTY });
}, 240_000);

afterAll(() => harness?.stop(), 30_000);

/**
 * Assigns `user:0` … `user:199` and tracks their events: purchases by 15 % of control's
 * actors and 65 % of treatment's (a few twice), upgrades by 40 % of treatment's only,
 * refunds of 10 by a quarter of either, and nothing for `survey`; one purchase by an
 * actor never enrolled. Waits until the Worker has counted all of it.
 */
async function enrolAndTrack(client: ExperimentsClient): Promise<Record<string, Tally>> {
  await until(`${EXPERIMENT} to assign`, () =>
    client.assign(EXPERIMENT, { actor: "user:0" }).then(
      () => true,
      () => false,
    ),
  );
  const sent: Record<string, Tally> = Object.fromEntries(
    FIFTY.map((v) => [v.name, { n: 0, purchased: 0, upgraded: 0, refunds: 0 }]),
  );
  const actors = Array.from({ length: ACTORS }, (_, i) => i);
  for (let start = 0; start < ACTORS; start += 25) {
    await Promise.all(
      actors.slice(start, start + 25).map(async (i) => {
        const actor = `user:${i}`;
        const { variant } = await client.assign(EXPERIMENT, { actor });
        const t = sent[variant] as Tally;
        t.n += 1;
        const events: { event: string; value?: number }[] = [];
        if (i % 20 < (variant === "treatment" ? 13 : 3)) {
          t.purchased += 1;
          events.push({ event: "purchase" }, ...(i % 20 === 0 ? [{ event: "purchase" }] : []));
        }
        if (variant === "treatment" && i % 5 < 2) {
          t.upgraded += 1;
          events.push({ event: "upgrade" });
        }
        if (i % 4 === 0) {
          t.refunds += 10;
          events.push({ event: "refund", value: 10 });
        }
        if (events.length > 0) await client.track({ actor, events });
      }),
    );
  }
  await client.track({ actor: "stranger:1", events: [{ event: "purchase" }] });

  // Each metric as `name unattributed n sum n sum`, control then treatment.
  const counted = (results: ExperimentResults) =>
    results.metrics.flatMap((m) => [m.name, m.unattributed, ...m.variants.flatMap((v) => [v.n, v.sum])]).join(" ");
  const sums: Record<string, (t: Tally) => number> = {
    refunds: (t) => t.refunds,
    purchase: (t) => t.purchased,
    upgrade: (t) => t.upgraded,
    survey: () => 0,
  };
  const expected = Object.entries(sums)
    .flatMap(([name, sum]) => [
      name,
      name === "purchase" ? 1 : 0,
      ...FIFTY.flatMap(({ name: variant }) => [sent[variant]?.n, sum(sent[variant] as Tally)]),
    ])
    .join(" ");
  let seen = "";
  // The events queue flushes within a few seconds; the consumer then attributes them.
  await until(
    () => `the Worker to count every event (expected ${expected}, counted ${seen})`,
    async () => {
      seen = counted(await client.results(EXPERIMENT));
      return seen === expected;
    },
    60_000,
    500,
  );
  return sent;
}

/** 120 treatment and 30 control actors, chosen by the Worker's own bucketing, and an order each from some. */
async function enrolSkewed(client: ExperimentsClient): Promise<void> {
  const wanted: Record<string, number> = { treatment: 120, control: 30 };
  const actors: string[] = [];
  for (let i = 0; actors.length < 150; i++) {
    const actor = `skew:${i}`;
    const variant = selectVariant(FIFTY, experimentBucketV2(SKEWED, actor)) ?? "";
    if ((wanted[variant] ?? 0) > 0) {
      wanted[variant] = (wanted[variant] ?? 0) - 1;
      actors.push(actor);
    }
  }
  await until(`${SKEWED} to assign`, () =>
    client.assign(SKEWED, { actor: actors[0] }).then(
      () => true,
      () => false,
    ),
  );
  for (let start = 0; start < actors.length; start += 25) {
    await Promise.all(
      actors.slice(start, start + 25).map(async (actor, i) => {
        await client.assign(SKEWED, { actor });
        if (i % 3 === 0) await client.track({ actor, events: [{ event: "order" }] });
      }),
    );
  }
  await until(`an SRM mismatch in ${SKEWED}`, async () => (await client.results(SKEWED)).srm.status === "mismatch");
}

async function openMetrics(viewport: { width: number; height: number }, name = EXPERIMENT) {
  const opened = await openDashboard(harness, viewport);
  await signIn(opened.page, harness.token);
  await openExperiment(opened.page, name);
  await metricsPart(opened.page).waitFor();
  return opened;
}

const metricsPart = (page: Page): Locator => resultsSection(page).getByRole("region", { name: "Metrics", exact: true });
const metricTable = (page: Page, metric: string): Locator =>
  metricsPart(page).getByRole("table", { name: `${metric} by variant`, exact: true });
/** The p-value column's heads, one a metric: only the fixed method has them. */
const pHeads = (page: Page): Locator => metricsPart(page).getByRole("columnheader", { name: "p-value", exact: true });
/** A variant's cells in a metric's table (its row head, the variant's name, left out). */
const cells = (page: Page, metric: string, variant: string): Promise<string[]> =>
  metricTable(page, metric)
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name: variant, exact: true }) })
    .getByRole("cell")
    .allTextContents();

/** The API's comparison of treatment with control for `metric`. */
function comparison(results: ExperimentResults, metric: string): Comparison {
  const found = results.metrics.find((m) => m.name === metric)?.comparisons[0];
  if (found === undefined) throw new Error(`no comparison for ${metric}`);
  return found;
}

/** `"+12.3% (−1.2% to +25.8%)"` from an estimate the test knows and the interval the API gave. */
function liftText(estimate: number, ci: readonly [number, number] | null, format: (x: number) => string): string {
  if (ci === null) throw new Error("no interval");
  return `${format(estimate)} (${format(ci[0])} to ${format(ci[1])})`;
}

/**
 * Whether a variant's bar is drawn as `ci` says: each end on its side of the zero line, at
 * distances from it in the ratio of the ends' sizes, and the estimate's dot inside.
 */
async function expectBar(page: Page, metric: string, variant: string, ci: readonly [number, number] | null) {
  if (ci === null) throw new Error("no interval");
  const drawn = await metricTable(page, metric)
    .getByRole("row")
    .filter({ has: page.getByRole("rowheader", { name: variant, exact: true }) })
    .evaluate((row) => {
      const rect = (selector: string) => (row.querySelector(selector) as HTMLElement).getBoundingClientRect();
      const zero = rect(".lift-zero");
      const point = rect(".lift-point");
      return {
        low: rect(".lift-range").left,
        high: rect(".lift-range").right,
        zero: zero.left + zero.width / 2,
        point: point.left + point.width / 2,
      };
    });
  const [low, high] = ci;
  expect(Math.sign(Math.round(drawn.low - drawn.zero)), `${metric} ${variant}: low end`).toBe(Math.sign(low));
  expect(Math.sign(Math.round(drawn.high - drawn.zero)), `${metric} ${variant}: high end`).toBe(Math.sign(high));
  // One scale for both ends: pixels per unit from the high end put the low end within 2 px.
  const perUnit = (drawn.high - drawn.zero) / high;
  expect(Math.abs(drawn.zero + low * perUnit - drawn.low), `${metric} ${variant}: scale`).toBeLessThan(2);
  expect(drawn.point).toBeGreaterThan(drawn.low);
  expect(drawn.point).toBeLessThan(drawn.high);
}

async function expectNoSidewaysScroll(page: Page, viewport: { width: number }): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
}

describe("the metrics in the Results panel", () => {
  it("shows goals before the guardrail, each variant's actors and mean, and each lift with its interval and decision", async () => {
    const results = await api.results(EXPERIMENT);
    // The fixture gives each decision the page must word.
    expect(results.analysis).toEqual({ method: "sequential", alpha: 0.05, tuning: 5000, trustworthy: true });
    expect(results.metrics.map((m) => [m.name, comparison(results, m.name).decision])).toEqual([
      ["refunds", "inconclusive"],
      ["purchase", "better"],
      ["upgrade", "better"],
      ["survey", "insufficient_data"],
    ]);
    const control = tally.control as Tally;
    const treatment = tally.treatment as Tally;

    const { page, errors } = await openMetrics(DESKTOP);
    const part = metricsPart(page);
    expect(await part.getByRole("heading", { level: 4 }).allTextContents()).toEqual([
      "purchase",
      "upgrade",
      "survey",
      "refunds guardrail",
    ]);
    expect(await part.locator(".badge-guardrail").allTextContents()).toEqual(["guardrail"]);
    expect(await part.getByRole("radio", { name: "Sequential" }).isChecked()).toBe(true);
    expect(await part.textContent()).toContain("Sequential: valid however often you look");
    expect(await part.textContent()).toContain(
      "Fixed: valid only if you look once, at a sample size planned in advance",
    );
    expect(await part.getByText("Do not trust these comparisons").count()).toBe(0);

    const purchase = comparison(results, "purchase");
    const rate = (t: Tally, of: number) => of / t.n;
    expect(await metricTable(page, "purchase").getByRole("columnheader").allTextContents()).toEqual([
      "Variant",
      "Actors",
      "Conversion rate",
      "Lift vs control (95% interval)",
      "Decision",
    ]);
    expect(await cells(page, "purchase", "control")).toEqual([
      String(control.n),
      percent(rate(control, control.purchased)),
      "baseline",
      "—",
    ]);
    const purchaseDifference = rate(treatment, treatment.purchased) - rate(control, control.purchased);
    const purchaseLift = purchaseDifference / rate(control, control.purchased);
    expect(await cells(page, "purchase", "treatment")).toEqual([
      String(treatment.n),
      percent(rate(treatment, treatment.purchased)),
      `${liftText(purchaseLift, purchase.relative?.ci ?? null, signedPercent)}Difference ${liftText(purchaseDifference, purchase.absolute.ci, signedPoints)}`,
      "Better",
    ]);
    // The bar is the relative interval; the decision rests on the difference's, which excludes 0.
    await expectBar(page, "purchase", "treatment", purchase.relative?.ci ?? null);
    expect(purchase.absolute.ci?.[0]).toBeGreaterThan(0);

    // No upgrade in control: no lift over 0 %, the difference in points instead.
    const upgrade = comparison(results, "upgrade");
    expect(upgrade.relative).toBeNull();
    const upgradeCells = await cells(page, "upgrade", "treatment");
    expect(upgradeCells[2]).toBe(
      `${liftText(rate(treatment, treatment.upgraded), upgrade.absolute.ci, signedPoints)}A difference, not a lift: control's mean is 0.`,
    );
    expect(upgradeCells[3]).toBe("Better");

    expect(await cells(page, "survey", "treatment")).toEqual([String(treatment.n), "0", "—", "Not enough data yet"]);

    const refunds = comparison(results, "refunds");
    expect(await metricTable(page, "refunds").getByRole("columnheader").nth(2).textContent()).toBe("Mean per actor");
    const refundCells = await cells(page, "refunds", "treatment");
    const [refundsControl, refundsTreatment] = [control.refunds / control.n, treatment.refunds / treatment.n];
    expect(refundCells[1]).toBe(String(Number(refundsTreatment.toPrecision(3))));
    expect(refundCells[2]).toBe(
      `${liftText(refundsTreatment / refundsControl - 1, refunds.relative?.ci ?? null, signedPercent)}Difference ${liftText(refundsTreatment - refundsControl, refunds.absolute.ci, signedNumber)}`,
    );
    expect(refundCells[3]).toBe(DECISION_LABEL.inconclusive);
    await expectBar(page, "refunds", "treatment", refunds.relative?.ci ?? null);
    await expectBar(page, "upgrade", "treatment", upgrade.absolute.ci);

    // The actor that never enrolled.
    expect(await part.getByText("1 purchase event not counted here").count()).toBe(1);
    expect(await pHeads(page).count()).toBe(0);
    await expectNoSidewaysScroll(page, DESKTOP);
    await resultsSection(page).screenshot({
      path: join(process.env.UPDATE_SCREENSHOTS === "1" ? "docs" : tmpdir(), "dashboard-metrics.png"),
    });
    expect(errors).toEqual([]);
  }, 60_000);

  it("switches to the fixed method, which shows p-values, and keeps it through Refresh and a reload", async () => {
    const fixed = await api.results(EXPERIMENT, { method: "fixed" });
    const purchase = comparison(fixed, "purchase");
    const { page, errors } = await openMetrics(DESKTOP);
    const sequentialText = (await cells(page, "purchase", "treatment"))[2];

    await metricsPart(page).getByRole("radio", { name: "Fixed" }).check();
    await pHeads(page).first().waitFor();
    const fixedCells = await cells(page, "purchase", "treatment");
    const relative = purchase.relative ?? { estimate: 0, ci: null };
    const absolute = purchase.absolute;
    expect(fixedCells[2]).toBe(
      `${liftText(relative.estimate, relative.ci, signedPercent)}Difference ${liftText(absolute.estimate ?? 0, absolute.ci, signedPoints)}`,
    );
    // Narrower than the sequential interval: here the whole of it right of the zero line.
    expect(relative.ci?.[0]).toBeGreaterThan(0);
    await expectBar(page, "purchase", "treatment", relative.ci);
    expect(fixedCells[2]).not.toBe(sequentialText);
    expect(fixedCells[4]).toBe(pValue(purchase.p_value ?? 1));
    expect(await cells(page, "purchase", "control")).toEqual([
      expect.any(String),
      expect.any(String),
      "baseline",
      "—",
      "—",
    ]);
    // Focus stays on the switch the new panel put in place of the old one.
    expect(
      await metricsPart(page)
        .getByRole("radio", { name: "Fixed" })
        .evaluate((e) => e === document.activeElement),
    ).toBe(true);
    expect(new URL(page.url()).hash).toBe(`#/experiments/${EXPERIMENT}?method=fixed`);

    const before = await metricsPart(page).elementHandle();
    await page.getByRole("button", { name: "Refresh", exact: true }).click();
    await page.waitForFunction((element) => !element?.isConnected, before);
    await metricsPart(page).waitFor();
    expect(await metricsPart(page).getByRole("radio", { name: "Fixed" }).isChecked()).toBe(true);
    expect((await cells(page, "purchase", "treatment"))[3]).toBe("Better");
    expect((await cells(page, "purchase", "treatment"))[4]).toBe(pValue(purchase.p_value ?? 1));

    await page.reload();
    await pHeads(page).first().waitFor();
    expect(await metricsPart(page).getByRole("radio", { name: "Fixed" }).isChecked()).toBe(true);

    await metricsPart(page).getByRole("radio", { name: "Sequential" }).check();
    await until("the p-values to go", async () => (await pHeads(page).count()) === 0);
    expect((await cells(page, "purchase", "treatment"))[2]).toBe(sequentialText);
    expect(new URL(page.url()).hash).toBe(`#/experiments/${EXPERIMENT}`);
    expect(errors).toEqual([]);
  }, 60_000);

  it("warns above the metrics that the comparisons cannot be trusted when the split does not match the weights", async () => {
    expect((await api.results(SKEWED)).analysis.trustworthy).toBe(false);
    const { page, errors } = await openMetrics(DESKTOP, SKEWED);
    const srm = await resultsSection(page).locator(".srm").textContent();
    expect(srm).toContain("SRM: mismatch");
    expect(srm).toContain("χ² = 54.00, df = 1, p < 0.0001");
    const warning = metricsPart(page).getByText("Do not trust these comparisons.");
    expect(await warning.isVisible()).toBe(true);
    // Above the first metric.
    const [warningBox, metricBox] = await Promise.all([
      warning.boundingBox(),
      metricsPart(page).getByRole("heading", { level: 4, name: "orders" }).boundingBox(),
    ]);
    expect(warningBox?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(metricBox?.y ?? 0);
    expect(errors).toEqual([]);
  }, 30_000);

  it("says how to add metrics and track events when an experiment has none", async () => {
    const { page, errors } = await openMetrics(DESKTOP, NO_METRICS);
    const text = (await metricsPart(page).textContent()) ?? "";
    expect(text).toContain("No metrics are defined.");
    expect(text).toContain(`PUT /v1/admin/experiments/${NO_METRICS}`);
    expect(text).toContain("POST /v1/track");
    expect(await metricsPart(page).getByRole("radio").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);

  it("counts each experiment's metrics and guardrails in the list, which still fits the screen", async () => {
    for (const viewport of [DESKTOP, ...PHONES]) {
      const { page, errors } = await openDashboard(harness, viewport);
      await signIn(page, harness.token);
      const row = (name: string) =>
        page
          .getByRole("table")
          .getByRole("row")
          .filter({ has: page.getByRole("link", { name, exact: true }) });
      // (`td`, not the cell role: on a phone the rows are cards.)
      const metricsNote = (name: string) => row(name).locator("td").nth(0).locator(".metrics-note");
      await expect.poll(() => metricsNote(EXPERIMENT).textContent()).toBe("4 metrics, 1 guardrail");
      expect(await metricsNote(SKEWED).textContent()).toBe("1 metric");
      expect(await metricsNote(NO_METRICS).count()).toBe(0);
      const table = page.getByRole("region", { name: "Experiments" });
      expect(await table.evaluate((e) => e.scrollWidth - e.clientWidth), `${viewport.width} px`).toBeLessThanOrEqual(0);
      await expectNoSidewaysScroll(page, viewport);
      expect(errors).toEqual([]);
    }
  }, 60_000);
});

describe("the metrics on a phone", () => {
  it.each(PHONES)(
    "fit $width px: each variant a card, every cell whole, no sideways scroll, still tables to a screen reader",
    async (viewport) => {
      const { page, errors } = await openMetrics(viewport);
      await expectNoSidewaysScroll(page, viewport);
      for (const metric of ["purchase", "upgrade", "survey", "refunds"]) {
        const table = metricTable(page, metric);
        const fit = await table.evaluate((element) => {
          const box = (element.parentElement as HTMLElement).getBoundingClientRect();
          const faults: string[] = [];
          for (const cell of element.querySelectorAll<HTMLElement>("tbody th, tbody td")) {
            const rect = cell.getBoundingClientRect();
            if (rect.width === 0) continue;
            if (cell.scrollWidth > cell.clientWidth + 0.5) faults.push(`${cell.textContent}: wider than its cell`);
            if (rect.left < box.left - 0.5 || rect.right > box.right + 0.5) faults.push(`${cell.textContent}: outside`);
          }
          return { faults, overflow: element.scrollWidth - box.width };
        });
        expect(fit, `${metric} at ${viewport.width} px`).toEqual({ faults: [], overflow: expect.any(Number) });
        expect(fit.overflow, `${metric} at ${viewport.width} px`).toBeLessThanOrEqual(0.5);
        expect(await table.getByRole("columnheader").count()).toBe(5);
        expect(await table.getByRole("rowheader").allTextContents()).toEqual(["control", "treatment"]);
      }
      // A card: the name and the decision on its first line, the numbers under their names, then the lift.
      const layout = () =>
        metricTable(page, "purchase")
          .getByRole("row")
          .filter({ has: page.getByRole("rowheader", { name: "treatment" }) })
          .evaluate((row) =>
            [...row.children].map((cell) => {
              const label = getComputedStyle(cell, "::before").content;
              const { top, bottom } = cell.getBoundingClientRect();
              return { text: cell.textContent, top, bottom, label };
            }),
          );
      const card = await layout();
      const [name, n, mean, lift, decision] = card;
      expect(card.map((c) => c.label)).toEqual([
        "none",
        '"Actors"',
        '"Conversion rate"',
        '"Lift vs control (95% interval)"',
        "none",
      ]);
      const sameLine = (a?: { top: number; bottom: number }, b?: { top: number; bottom: number }) =>
        a !== undefined && b !== undefined && a.top < b.bottom && b.top < a.bottom;
      expect(decision?.text).toBe("Better");
      expect(sameLine(name, decision), "name and decision").toBe(true);
      expect(sameLine(n, mean), "actors and mean").toBe(true);
      expect(n?.top).toBeGreaterThanOrEqual(name?.bottom ?? 0);
      expect(lift?.top).toBeGreaterThanOrEqual(n?.bottom ?? 0);

      await metricsPart(page).getByRole("radio", { name: "Fixed" }).check();
      // (Attached, not visible: the column heads are read to screen readers only on cards.)
      await pHeads(page).first().waitFor({ state: "attached" });
      expect((await layout())[5]?.label).toBe('"p-value"');
      await expectNoSidewaysScroll(page, viewport);
      await metricsPart(page).screenshot({ path: join(tmpdir(), `dashboard-metrics-${viewport.width}.png`) });
      expect(errors).toEqual([]);
    },
    45_000,
  );
});
