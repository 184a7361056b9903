// Holdouts and layers in the dashboard (issue 22 §2), in Debian's Chromium against the real
// Worker under `wrangler dev`: holdouts and experiments made through the API, actors
// assigned and their purchases tracked over HTTP, each actor's arm counted by its actor
// object's outbox (about a minute later), then everything read off the page as an
// operator reads it.
//
// `UPDATE_SCREENSHOTS=1 npx vitest run --project browser test/browser/holdouts.test.ts`
// writes docs/dashboard-holdouts.png; otherwise it, and the phone screenshots, go to the
// system's temporary directory.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentsClient, RequestInput, ResponseOf } from "../../src/client";
import { DECISION_LABEL, difference, lift, percent, pValue, SRM_LABEL } from "../../src/dashboard/format";
import {
  type DashboardHarness,
  openDashboard,
  openExperiment,
  panel,
  resultsSection,
  signIn,
  startDashboardHarness,
  until,
} from "./support/dashboard";
import { expectNamedControls, expectNoSidewaysScroll, recordApiCalls } from "./support/page-checks";

const VIEW_TOKEN = "holdouts-view-token";
const DESKTOP = { width: 1280, height: 900 };
const PHONES = [
  { width: 375, height: 812 },
  { width: 320, height: 568 },
];
const FIFTY = [
  { name: "control", weight: 50 },
  { name: "treatment", weight: 50 },
];
/** 20 % held out of its members, judged by purchases. */
const HOLDOUT = "q4_holdout";
const DESCRIPTION = "Everything shipped in Q4, measured together";
/** A holdout no experiment names: it can be deleted. */
const SPARE = "spare_holdout";
/** A member without a layer: the actors are assigned here. */
const TOUR = "onboarding_tour";
const ACTORS = 200;

type HoldoutResults = ResponseOf<"holdoutResults">;
/** What the test sent, per arm: the truth the page's numbers are checked against. */
type Tally = Record<"held_out" | "exposed", { n: number; purchased: number }>;

let harness: DashboardHarness;
let api: ExperimentsClient;
let tally: Tally;

beforeAll(async () => {
  harness = await startDashboardHarness({ vars: { ADMIN_TOKENS: `viewer:read:${VIEW_TOKEN}` } });
  api = harness.api;
  await defineHoldout(HOLDOUT, {
    coverage: 2000,
    description: DESCRIPTION,
    metrics: [{ name: "purchase", kind: "conversion" }],
  });
  await defineHoldout(SPARE, { coverage: 500 });
  // Layer checkout: a [0, 40 %) and b [40 %, 70 %) running, c a draft on [60 %, 100 %); 70–100 % free.
  await api.define("checkout_a", { variants: FIFTY, layer: { name: "checkout", range: [0, 4000] }, holdout: HOLDOUT });
  await api.define("checkout_b", { variants: FIFTY, layer: { name: "checkout", range: [4000, 7000] } });
  await api.define("checkout_c", { variants: FIFTY, layer: { name: "checkout", range: [6000, 10_000] } });
  // Layer search: one experiment in the middle, free on both sides.
  await api.define("search_rank", { variants: FIFTY, layer: { name: "search", range: [2500, 7500] } });
  await api.define(TOUR, { variants: FIFTY, hash_version: 2, holdout: HOLDOUT });
  for (const name of ["checkout_a", "checkout_b", "search_rank", TOUR]) await api.start(name);
  tally = await assignAndTrack();
}, 300_000);

afterAll(() => harness?.stop(), 30_000);

/** A holdout `PUT` through the client's `request`, failing the test on a refusal. */
async function defineHoldout(name: string, body: RequestInput<"defineHoldout">["body"]): Promise<void> {
  const response = await api.request("defineHoldout", { params: { name }, body });
  if (!response.ok) throw response.error;
}

async function holdoutResults(method?: "fixed"): Promise<HoldoutResults> {
  const response = await api.request("holdoutResults", { params: { name: HOLDOUT }, query: { method } });
  if (!response.ok) throw response.error;
  return response.body;
}

/**
 * Assigns `user:0` … `user:199` to the tour (an answer says which are held out) and tracks a
 * purchase by a fifth of the held-out actors and three fifths of the exposed ones. Waits
 * until the Worker has counted every actor in its arm and every purchase: the arms about a
 * minute after the assignments, when each actor object's outbox runs.
 */
async function assignAndTrack(): Promise<Tally> {
  await until(`${TOUR} to assign`, () =>
    api.assign(TOUR, { actor: "user:0" }).then(
      () => true,
      () => false,
    ),
  );
  const sent: Tally = { held_out: { n: 0, purchased: 0 }, exposed: { n: 0, purchased: 0 } };
  for (let start = 0; start < ACTORS; start += 25) {
    await Promise.all(
      Array.from({ length: 25 }, (_, j) => start + j).map(async (i) => {
        const actor = `user:${i}`;
        const answer = await api.assign(TOUR, { actor });
        const arm = answer.holdout === HOLDOUT ? sent.held_out : sent.exposed;
        arm.n += 1;
        if (i % 5 < (arm === sent.held_out ? 1 : 3)) {
          arm.purchased += 1;
          await api.track({ actor, events: [{ event: "purchase" }] });
        }
      }),
    );
  }
  const expected = `${sent.held_out.n} ${sent.exposed.n} ${sent.held_out.purchased} ${sent.exposed.purchased}`;
  let seen = "";
  await until(
    () => `the Worker to count both arms (expected ${expected}, counted ${seen})`,
    async () => {
      const { variants, metrics } = await holdoutResults();
      const sums = metrics[0]?.variants.map((v) => v.sum) ?? [];
      seen = [...variants.map((v) => v.enrolled), ...sums].join(" ");
      return seen === expected;
    },
    150_000,
    2_000,
  );
  return sent;
}

const button = (scope: Page | Locator, name: string): Locator => scope.getByRole("button", { name, exact: true });
const holdoutsTable = (page: Page): Locator => page.getByRole("table", { name: "Holdouts", exact: true });
/** A holdout's cells in the list (`td`, not the cell role: on a phone a row is a card). */
const holdoutCells = (page: Page, name: string): Locator =>
  holdoutsTable(page)
    .getByRole("row")
    .filter({ has: page.getByRole("link", { name, exact: true }) })
    .locator("td");
const metricsPart = (page: Page): Locator => resultsSection(page).getByRole("region", { name: "Metrics", exact: true });
const purchaseTable = (page: Page): Locator =>
  metricsPart(page).getByRole("table", { name: "purchase by arm", exact: true });
const armCells = (table: Locator, arm: string): Promise<string[]> =>
  table
    .getByRole("row")
    .filter({ has: table.page().getByRole("rowheader", { name: arm, exact: true }) })
    .getByRole("cell")
    .allTextContents();

async function openHoldouts(viewport: { width: number; height: number }, token = harness.token) {
  const opened = await openDashboard(harness, viewport);
  await signIn(opened.page, token);
  await opened.page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Holdouts" }).click();
  await opened.page.getByRole("heading", { level: 1, name: "Holdouts", exact: true }).waitFor();
  return opened;
}

async function openHoldout(viewport: { width: number; height: number }, name = HOLDOUT, token = harness.token) {
  const opened = await openHoldouts(viewport, token);
  await holdoutsTable(opened.page).getByRole("link", { name, exact: true }).click();
  await opened.page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
  return opened;
}

describe("the Holdouts page", () => {
  it("is linked from the top bar and lists each holdout with its share held out, description and members, each a link", async () => {
    const { page, errors } = await openHoldouts(DESKTOP);
    const nav = page.getByRole("navigation", { name: "Sections" });
    expect(await nav.getByRole("link", { name: "Holdouts" }).getAttribute("aria-current")).toBe("page");
    expect(await nav.getByRole("link", { name: "Experiments" }).getAttribute("aria-current")).toBeNull();

    const listed = await api.request("listHoldouts", {});
    if (!listed.ok) throw listed.error;
    const members = listed.body.holdouts.find((h) => h.name === HOLDOUT)?.members;
    expect(members?.slice().sort()).toEqual(["checkout_a", TOUR]);

    const cells = holdoutCells(page, HOLDOUT);
    expect((await cells.allTextContents()).slice(1, 3)).toEqual(["20%", DESCRIPTION]);
    expect(await cells.nth(3).getByRole("link").allTextContents()).toEqual(members);
    expect((await holdoutCells(page, SPARE).allTextContents()).slice(1)).toEqual(["5%", "—", "none yet"]);

    // A member's link opens the experiment.
    await cells.nth(3).getByRole("link", { name: TOUR, exact: true }).click();
    await page.getByRole("heading", { level: 1, name: TOUR, exact: true }).waitFor();
    expect(await nav.getByRole("link", { name: "Experiments" }).getAttribute("aria-current")).toBe("page");
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows a holdout's arms against the shares its coverage expects, the SRM status, and the lift of exposed over held_out", async () => {
    const results = await holdoutResults();
    const { page, errors } = await openHoldout(DESKTOP);
    await expect.poll(() => resultsSection(page).textContent()).toContain("SRM:");
    expect(await page.locator(".view-header-detail").textContent()).toContain(`20% held out${DESCRIPTION}`);

    // The arms: what the test sent, at the shares 20 % coverage expects.
    const arms = resultsSection(page).getByRole("table", { name: "Actors by arm", exact: true });
    expect(await arms.getByRole("columnheader").allTextContents()).toEqual([
      "Arm",
      "Expected share",
      "Actors",
      "Observed share",
    ]);
    const observed = (arm: keyof Tally) => percent(tally[arm].n / ACTORS);
    expect(await armCells(arms, "held_out")).toEqual(["20%", String(tally.held_out.n), observed("held_out")]);
    expect(await armCells(arms, "exposed")).toEqual(["80%", String(tally.exposed.n), observed("exposed")]);
    expect(await armCells(arms, "Total")).toEqual(["100%", String(ACTORS), "100%"]);
    const srm = (await resultsSection(page).locator(".srm").textContent()) ?? "";
    expect(srm).toContain(`SRM: ${SRM_LABEL[results.srm.status]}`);
    expect(srm).toContain("the holdout's coverage");
    await page.getByRole("img", { name: new RegExp(`^Daily actors: ${ACTORS} actors`) }).waitFor();

    // The metric: held_out the baseline, exposed's lift over it with the API's interval and decision.
    const comparison = results.metrics[0]?.comparisons[0];
    if (comparison === undefined) throw new Error("no comparison");
    expect([comparison.variant, comparison.baseline]).toEqual(["exposed", "held_out"]);
    const rate = (arm: keyof Tally) => percent(tally[arm].purchased / tally[arm].n);
    expect(await purchaseTable(page).getByRole("columnheader").allTextContents()).toEqual([
      "Arm",
      "Actors",
      "Conversion rate",
      "Lift vs held_out (95% interval)",
      "Decision",
    ]);
    expect(await armCells(purchaseTable(page), "held_out")).toEqual([
      String(tally.held_out.n),
      rate("held_out"),
      "baseline",
      "—",
    ]);
    expect(await armCells(purchaseTable(page), "exposed")).toEqual([
      String(tally.exposed.n),
      rate("exposed"),
      `${lift(comparison, "conversion")?.text}Difference ${difference(comparison, "conversion")?.text}`,
      DECISION_LABEL[comparison.decision],
    ]);

    // What it is, who is in it, what happened to it.
    const definition = panel(page, "Definition");
    expect(await definition.textContent()).toContain("20% of the actors of every member (2,000 bp)");
    expect(await definition.textContent()).toContain("Fixed: checkout_a has run.");
    expect(await definition.getByRole("listitem").allTextContents()).toEqual([
      "purchase conversion of purchase, higher is better",
    ]);
    expect(await panel(page, "Members").getByRole("listitem").allTextContents()).toEqual([
      "checkout_a running",
      `${TOUR} running`,
    ]);
    expect(await panel(page, "History").getByRole("row").nth(1).textContent()).toContain("Created");
    await page.screenshot({
      path: join(process.env.UPDATE_SCREENSHOTS === "1" ? "docs" : tmpdir(), "dashboard-holdouts.png"),
      fullPage: true,
    });

    // The fixed method, as on an experiment's page: p-values, and the address keeps it.
    const fixed = (await holdoutResults("fixed")).metrics[0]?.comparisons[0];
    await metricsPart(page).getByRole("radio", { name: "Fixed" }).check();
    await metricsPart(page).getByRole("columnheader", { name: "p-value" }).waitFor();
    expect((await armCells(purchaseTable(page), "exposed"))[4]).toBe(pValue(fixed?.p_value ?? 1));
    expect(new URL(page.url()).hash).toBe(`#/holdouts/${HOLDOUT}?method=fixed`);
    await page.reload();
    await metricsPart(page).getByRole("columnheader", { name: "p-value" }).waitFor();
    expect(await metricsPart(page).getByRole("radio", { name: "Fixed" }).isChecked()).toBe(true);
    expect(errors).toEqual([]);
  }, 45_000);
});

describe("layers on the experiments page", () => {
  it("draws each layer as an allocation bar: running experiments' ranges by name, free ranges hatched and labelled, every range in words", async () => {
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, harness.token);
    const layers = page.getByRole("region", { name: "Layers", exact: true });
    const checkout = layers.getByRole("region", { name: "checkout", exact: true });
    await checkout.waitFor();
    expect(await checkout.textContent()).toContain("2 running, 1 draft · 30% free");

    const bar = checkout.getByRole("img", {
      name: "Allocation of layer checkout: checkout_a (running) 0% to 40%; checkout_b (running) 40% to 70%; free 70% to 100%",
      exact: true,
    });
    expect(await segments(bar)).toEqual([
      { label: "checkout_a", start: 0, end: 4000, free: false },
      { label: "checkout_b", start: 4000, end: 7000, free: false },
      { label: "free", start: 7000, end: 10_000, free: true },
    ]);
    // Free is more than a colour: a hatch, besides its word.
    expect(await bar.locator(".layer-free").evaluate((e) => getComputedStyle(e).backgroundImage)).toContain(
      "repeating-linear-gradient",
    );
    // The draft is listed, in words, with its state: it holds its range only once it runs.
    expect(
      await checkout.getByRole("list", { name: "Ranges of layer checkout" }).getByRole("listitem").allTextContents(),
    ).toEqual([
      "checkout_a running0% to 40%",
      "checkout_b running40% to 70%",
      "checkout_c draft60% to 100%holds no range until it runs",
      "free70% to 100%",
    ]);
    await checkout.getByRole("link", { name: "checkout_c", exact: true }).waitFor();

    const search = layers.getByRole("region", { name: "search", exact: true });
    expect(await segments(search.getByRole("img"))).toEqual([
      { label: "free", start: 0, end: 2500, free: true },
      { label: "search_rank", start: 2500, end: 7500, free: false },
      { label: "free", start: 7500, end: 10_000, free: true },
    ]);
    expect(await search.getByRole("listitem").allTextContents()).toEqual([
      "free0% to 25%",
      "search_rank running25% to 75%",
      "free75% to 100%",
    ]);
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows the layer and the holdout in an experiment's Configuration panel, the holdout a link to its page", async () => {
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, harness.token);
    await openExperiment(page, "checkout_a");
    const fact = (term: string) => panel(page, "Configuration").locator("dt", { hasText: term }).locator("+ dd");
    await expect.poll(() => fact("Layer").textContent()).toBe("checkout, 0% to 40% of the layer");
    await fact("Holdout").getByRole("link", { name: HOLDOUT, exact: true }).click();
    await page.getByRole("heading", { level: 1, name: HOLDOUT, exact: true }).waitFor();

    // An experiment in neither says nothing of them.
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Experiments" }).click();
    await openExperiment(page, "checkout_b");
    await expect.poll(() => fact("Layer").textContent()).toBe("checkout, 40% to 70% of the layer");
    expect(await panel(page, "Configuration").locator("dt", { hasText: "Holdout" }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);
});

/**
 * The bar's segments as drawn: each one's label, and where it starts and ends in basis
 * points of the layer, read back from its position in the bar (to the nearest 10).
 */
function segments(bar: Locator) {
  return bar.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const left = box.left + element.clientLeft;
    const at = (x: number) => Math.round(((x - left) / element.clientWidth) * 1000) * 10;
    return [...element.querySelectorAll<HTMLElement>(".layer-segment")].map((segment) => {
      const rect = segment.getBoundingClientRect();
      return {
        label: segment.textContent,
        start: at(rect.left),
        end: at(rect.right),
        free: segment.classList.contains("layer-free"),
      };
    });
  });
}

describe("creating, editing and deleting holdouts", () => {
  it("creates a holdout in a dialog, refusing a share out of range and a taken name, then edits its share and description", async () => {
    const { page, errors } = await openHoldouts(DESKTOP);
    await button(page, "New holdout").click();
    const dialog = page.getByRole("dialog", { name: "New holdout" });
    await dialog.getByLabel("Name").fill("browser_holdout");
    const share = dialog.getByLabel("Held out (%)");
    const calls = recordApiCalls(page);
    for (const typed of ["60", "0", "a fifth"]) {
      await share.fill(typed === "a fifth" ? "" : typed);
      await button(dialog, "Create holdout").click();
      await dialog.getByRole("alert").filter({ hasText: "Held out is a percentage from 0.01 to 50%." }).waitFor();
      expect(await share.getAttribute("aria-invalid"), typed).toBe("true");
    }
    expect(calls).toEqual([]);

    await share.fill("20");
    await dialog.getByLabel("Name").fill(HOLDOUT);
    await button(dialog, "Create holdout").click();
    await dialog
      .getByRole("alert")
      .filter({ hasText: `A holdout named ${HOLDOUT} already exists.` })
      .waitFor();
    expect((await holdoutResults()).coverage).toBe(2000);

    await dialog.getByLabel("Name").fill("browser_holdout");
    await share.fill("7.5");
    await dialog.getByLabel("Description").fill("Made in the dashboard");
    await button(dialog, "Create holdout").click();
    await page.getByRole("heading", { level: 1, name: "browser_holdout", exact: true }).waitFor();
    expect(await page.locator(".badge-holdout").textContent()).toBe("7.5% held out");
    const read = async () => {
      const response = await api.request("getHoldout", { params: { name: "browser_holdout" } });
      if (!response.ok) throw response.error;
      return response.body;
    };
    expect(await read()).toMatchObject({ coverage: 750, description: "Made in the dashboard", metrics: [] });

    // Metrics added through the API stay through an edit, which changes only what it shows.
    const metrics = [{ name: "signup", kind: "conversion" as const }];
    await defineHoldout("browser_holdout", { coverage: 750, metrics });
    await button(page, "Edit").click();
    const edit = page.getByRole("dialog", { name: "Edit holdout browser_holdout" });
    expect(await edit.getByLabel("Held out (%)").inputValue()).toBe("7.5");
    expect(await edit.getByLabel("Name").count()).toBe(0);
    await edit.getByLabel("Held out (%)").fill("10");
    await edit.getByLabel("Description").fill("Ten per cent");
    await button(edit, "Save").click();
    await page.getByText("Saved holdout browser_holdout.").waitFor();
    expect(await page.locator(".badge-holdout").textContent()).toBe("10% held out");
    expect(await read()).toMatchObject({ coverage: 1000, description: "Ten per cent", metrics: [{ name: "signup" }] });
    expect(errors).toEqual([]);
  }, 45_000);

  it("shows the API's refusals in its words: holdout_locked for a new share once a member ran, holdout_in_use on delete", async () => {
    const { page, errors } = await openHoldout(DESKTOP);
    const holdout = await api.request("getHoldout", { params: { name: HOLDOUT } });
    if (!holdout.ok) throw holdout.error;
    // The same calls, made here, are refused as they change nothing: their words are what the page must show.
    const { metrics, description } = holdout.body;
    const locked = await api.request("defineHoldout", {
      params: { name: HOLDOUT },
      body: { coverage: 2500, description: description ?? undefined, metrics },
    });
    const inUse = await api.request("deleteHoldout", { params: { name: HOLDOUT } });
    if (locked.ok || inUse.ok) throw new Error("the API accepted a change it must refuse");
    expect([locked.body?.code, inUse.body?.code]).toEqual(["holdout_locked", "holdout_in_use"]);

    await button(page, "Edit").click();
    const edit = page.getByRole("dialog", { name: `Edit holdout ${HOLDOUT}` });
    await edit.getByLabel("Held out (%)").fill("25");
    await button(edit, "Save").click();
    await edit.getByRole("alert").filter({ hasText: locked.error.detail }).waitFor();
    await button(edit, "Cancel").click();
    await edit.waitFor({ state: "detached" });

    await button(page, "Delete").click();
    const remove = page.getByRole("dialog", { name: `Delete holdout ${HOLDOUT}?` });
    await button(remove, "Delete").click();
    await remove.getByRole("alert").filter({ hasText: inUse.error.detail }).waitFor();
    expect(inUse.error.detail).toContain("checkout_a");
    await page.keyboard.press("Escape");
    await remove.waitFor({ state: "detached" });
    expect((await holdoutResults()).coverage).toBe(2000);
    expect(errors).toEqual([]);
  }, 30_000);

  it("deletes a holdout no experiment names, and says so on the list", async () => {
    const { page, errors } = await openHoldout(DESKTOP, SPARE);
    await expect.poll(() => panel(page, "Members").textContent()).toContain("No experiment has joined it yet");
    await button(page, "Delete").click();
    await button(page.getByRole("dialog", { name: `Delete holdout ${SPARE}?` }), "Delete").click();
    await page.getByRole("heading", { level: 1, name: "Holdouts", exact: true }).waitFor();
    await page.getByText(`Deleted holdout ${SPARE}.`).waitFor();
    expect(await holdoutsTable(page).getByRole("link", { name: SPARE, exact: true }).count()).toBe(0);
    expect((await api.request("getHoldout", { params: { name: SPARE } })).status).toBe(404);
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows a read-only token the holdouts and their results, but no New holdout, Edit or Delete", async () => {
    const { page, errors } = await openHoldouts(DESKTOP, VIEW_TOKEN);
    expect(await button(page, "New holdout").count()).toBe(0);
    await holdoutsTable(page).getByRole("link", { name: HOLDOUT, exact: true }).click();
    await expect.poll(() => resultsSection(page).textContent()).toContain("SRM:");
    for (const name of ["Edit", "Delete"]) expect(await button(page, name).count(), name).toBe(0);
    await page.getByText("Read-only token (viewer): no actions.").waitFor();
    expect(errors).toEqual([]);
  }, 30_000);
});

describe("on every screen", () => {
  it.each([DESKTOP, ...PHONES])(
    "fits $width px: the layers, the holdouts and a holdout's results, without sideways scrolling, every control named",
    async (viewport) => {
      const { page, errors } = await openDashboard(harness, viewport);
      await signIn(page, harness.token);
      const checkout = page.getByRole("region", { name: "checkout", exact: true });
      await checkout.waitFor();
      await expectNoSidewaysScroll(page, `list at ${viewport.width} px`);
      await expectNamedControls(page);
      // Each range's row fits its card: name, state and range whole.
      const cut = await checkout.evaluate((card) => {
        const box = card.getBoundingClientRect();
        return [...card.querySelectorAll<HTMLElement>(".layer-bar, .layer-range, .layer-range > *")]
          .filter((e) => e.scrollWidth > e.clientWidth + 0.5 || e.getBoundingClientRect().right > box.right + 0.5)
          .map((e) => e.textContent);
      });
      expect(cut, `${viewport.width} px`).toEqual([]);
      await page
        .getByRole("region", { name: "Layers", exact: true })
        .screenshot({ path: join(tmpdir(), `dashboard-layers-${viewport.width}.png`) });

      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Holdouts" }).click();
      await holdoutsTable(page).waitFor();
      await expectNoSidewaysScroll(page, `holdouts at ${viewport.width} px`);
      await expectNamedControls(page);
      // A card per holdout on a phone: nothing to scroll in the table's box.
      const box = page.getByRole("region", { name: "Holdouts", exact: true });
      expect(await box.evaluate((e) => e.scrollWidth - e.clientWidth), `${viewport.width} px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(tmpdir(), `dashboard-holdouts-list-${viewport.width}.png`), fullPage: true });

      await holdoutsTable(page).getByRole("link", { name: HOLDOUT, exact: true }).click();
      await purchaseTable(page).waitFor();
      await expectNoSidewaysScroll(page, `holdout at ${viewport.width} px`);
      await expectNamedControls(page);
      if (viewport !== DESKTOP) {
        await page.screenshot({ path: join(tmpdir(), `dashboard-holdout-${viewport.width}.png`), fullPage: true });
      }
      expect(errors).toEqual([]);
    },
    45_000,
  );
});
