// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against
// the real Worker under `wrangler dev`, which serves the built page as static assets.
// Every step goes through the page as an operator would: by labels, roles and names.
//
// Screenshots go to a temporary directory; `UPDATE_SCREENSHOTS=1 npx vitest run
// --project browser` writes the two in docs/ (dashboard-list.png, dashboard-detail.png).
// The 375 px ones, to look at, are always left in the system's temporary directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentsClient } from "../../src/client";
import {
  assignActors,
  type DashboardHarness,
  openDashboard,
  openExperiment,
  panel,
  resultsSection,
  signIn,
  startDashboardHarness,
} from "./support/dashboard";
import { expectFieldError, expectNamedControls, expectNoSidewaysScroll, recordApiCalls } from "./support/page-checks";

const TOKEN = "browser-admin-token";
const VIEW_TOKEN = "view-token";
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 812 };
const FIFTY = [
  { name: "control", weight: 50 },
  { name: "treatment", weight: 50 },
];

let harness: DashboardHarness;
let api: ExperimentsClient;
let shots: string;

beforeAll(async () => {
  // The page under test is built from the sources as they are now.
  harness = await startDashboardHarness({ token: TOKEN, vars: { ADMIN_TOKENS: `viewer:read:${VIEW_TOKEN}` } });
  api = harness.api;
  shots = process.env.UPDATE_SCREENSHOTS === "1" ? "docs" : mkdtempSync(join(tmpdir(), "dashboard-screenshots-"));
}, 180_000);

afterAll(async () => {
  await harness?.stop();
  if (shots && shots !== "docs") rmSync(shots, { recursive: true, force: true });
}, 30_000);

/** The detail page's header: name, state badge, winner, description, actions. */
const detailHeader = (page: Page): Locator => page.locator(".view-header-detail");
const button = (page: Page, name: string): Locator => page.getByRole("button", { name, exact: true });

describe("the dashboard at /dashboard/", () => {
  it("is served as static assets beside the Worker, which still answers every other path", async () => {
    const redirect = await fetch(`${harness.url}/dashboard`, { redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("/dashboard/");

    const page = await fetch(`${harness.url}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="dashboard.js">');
    expect((await fetch(`${harness.url}/dashboard/dashboard.js`)).headers.get("content-type")).toMatch(/javascript/);

    for (const path of ["/nope", "/", "/dashboard/nope", "/_headers"]) {
      const response = await fetch(`${harness.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toBe("application/problem+json");
      expect(await response.json(), path).toMatchObject({ code: "not_found" });
    }
    expect((await fetch(`${harness.url}/v1/admin/experiments`)).status).toBe(401);
  });

  it("shows the lists and a detail page with results (the screenshots in docs/)", async () => {
    await api.define("checkout_v2", { variants: FIFTY, description: "New checkout flow: one page instead of three" });
    await api.define("eu_banner", {
      variants: [
        { name: "off", weight: 50 },
        { name: "on", weight: 50 },
      ],
      description: "Cookie banner for visitors from the EU",
      coverage: 2500,
      hash_version: 2,
      exclusion_group: "banners",
      targeting: [{ attribute: "country", operator: "in", values: ["DE", "FR", "NL"] }],
    });
    await api.define("pricing_page", {
      variants: [
        { name: "monthly", weight: 34 },
        { name: "annual", weight: 33 },
        { name: "annual_discount", weight: 33 },
      ],
      description: "Which price is shown first",
    });
    await api.define("onboarding_tips", { variants: FIFTY });
    await api.define("legacy_banner", { variants: FIFTY, exclusion_group: "banners" });
    for (const name of ["checkout_v2", "eu_banner", "onboarding_tips"]) await api.start(name);
    await api.archive("legacy_banner");
    await api.setOverride("checkout_v2", "qa:alice", "treatment");
    await api.setWeights("checkout_v2", [
      { name: "control", weight: 40 },
      { name: "treatment", weight: 60 },
    ]);
    await api.setWeights("checkout_v2", FIFTY);

    // Each waits until all its actors are counted.
    await assignActors(api, "checkout_v2", 400);
    await assignActors(api, "onboarding_tips", 150, "member:");
    // 25 repeat visits: exposures without new enrolments, so that the two counts differ.
    await Promise.all(Array.from({ length: 25 }, (_, i) => api.assign("checkout_v2", { actor: `user:${i}` })));
    await expect
      .poll(async () => (await api.results("checkout_v2")).variants.reduce((sum, v) => sum + v.exposures, 0), {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(425);
    await api.conclude("onboarding_tips", "treatment");

    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    const table = page.getByRole("table");
    for (const name of ["checkout_v2", "eu_banner", "pricing_page", "onboarding_tips", "legacy_banner"]) {
      await expect.poll(() => table.getByRole("link", { name, exact: true }).count()).toBe(1);
    }
    // The SRM column fills in once the results of the running and concluded ones arrive.
    const cells = table.getByRole("row").filter({ hasText: "checkout_v2" }).getByRole("cell");
    await expect.poll(() => cells.nth(7).textContent()).toBe("ok");
    expect(await cells.nth(6).textContent()).toBe("400");
    await page.screenshot({ path: join(shots, "dashboard-list.png"), fullPage: true });

    // The filter hides the other states, and the address keeps it.
    await page.getByLabel("State").selectOption("draft");
    expect(await table.getByRole("link").allTextContents()).toEqual(["pricing_page"]);
    expect(new URL(page.url()).hash).toBe("#/?state=draft");
    await page.getByLabel("State").selectOption("");

    await openExperiment(page, "checkout_v2");
    await expect.poll(() => resultsSection(page).textContent()).toContain("SRM: ok");
    const text = (await resultsSection(page).textContent()) ?? "";
    expect(text).toContain("400");
    await page.getByRole("img", { name: /Daily enrolments: 400 enrolments/ }).waitFor();
    await page.screenshot({ path: join(shots, "dashboard-detail.png"), fullPage: true });
    // The same chart counts exposures (400 first visits and 25 repeat ones), and keeps
    // counting them when the page reads everything again.
    await page.getByRole("radio", { name: "Exposures" }).check();
    await page.getByRole("img", { name: /^Daily exposures: 425 exposures/ }).waitFor();
    await button(page, "Refresh").click();
    await page.getByRole("img", { name: /^Daily exposures: 425 exposures/ }).waitFor();
    expect(await page.getByRole("radio", { name: "Exposures" }).isChecked()).toBe(true);
    await page.getByRole("radio", { name: "Enrolments" }).check();
    await page.getByRole("img", { name: /^Daily enrolments: 400 enrolments/ }).waitFor();
    expect(errors).toEqual([]);
  }, 120_000);

  it("signs an operator in, who starts and concludes an experiment from the page and sees the history", async () => {
    await api.define("browser_checkout", { variants: FIFTY, description: "driven from the browser test" });
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    await openExperiment(page, "browser_checkout");
    await expect.poll(() => resultsSection(page).textContent()).toContain("SRM: insufficient data");

    await button(page, "Start").click();
    await page.getByText("Started browser_checkout.").waitFor();
    expect((await api.get("browser_checkout")).state).toBe("running");
    expect(await button(page, "Start").isDisabled()).toBe(true);
    await expect.poll(() => resultsSection(page).textContent()).toContain("SRM: insufficient data");

    await button(page, "Conclude").click();
    const dialog = page.getByRole("dialog", { name: "Conclude browser_checkout" });
    await dialog.getByLabel("treatment", { exact: true }).check();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await page.getByText("Concluded browser_checkout: everyone gets treatment.").waitFor();
    expect(await api.get("browser_checkout")).toMatchObject({ state: "concluded", winner: "treatment" });

    const history = panel(page, "History");
    const rows = await history.getByRole("row").allTextContents();
    // Newest first; each change by the token's name.
    expect(rows.slice(1).map((row) => row.replace(/^.*UTC/, ""))).toEqual([
      "Concluded, winner treatmentadmin",
      "Startedadmin",
      "Createdadmin",
    ]);

    // The token is in this tab's session storage and travels as a bearer token: no cookie.
    expect(await page.evaluate(() => sessionStorage.getItem("edge-experiments.admin-token"))).toBe(TOKEN);
    expect(await page.context().cookies()).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it("shows the API's 401 detail for a wrong token, and keeps no token", async () => {
    const { page } = await openDashboard(harness, DESKTOP);
    // The keyboard alone: type the token and press Enter.
    await page.getByLabel("Admin token").focus();
    await page.keyboard.type("not-the-token");
    await page.keyboard.press("Enter");
    await page.getByRole("alert").filter({ hasText: "a valid admin bearer token is required" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.getByRole("heading", { level: 1, name: "Experiments" }).count()).toBe(0);
  }, 30_000);

  it("sends the operator back to sign in, with the API's detail, once the kept token stops working", async () => {
    const { page } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    // As if the token had been revoked: the next load finds the API refusing it.
    await page.evaluate(() => sessionStorage.setItem("edge-experiments.admin-token", "revoked-token"));
    await page.reload();
    await page.getByRole("alert").filter({ hasText: "a valid admin bearer token is required" }).waitFor();
    await page.getByLabel("Admin token").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  }, 30_000);

  it("shows the API's 404 detail for an experiment that does not exist", async () => {
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    await page.goto(`${harness.url}/dashboard/#/experiments/ghost`);
    await page.getByRole("alert").filter({ hasText: "experiment 'ghost' not found" }).waitFor();
    await page.getByRole("link", { name: "← All experiments" }).click();
    await page.getByRole("heading", { level: 1, name: "Experiments" }).waitFor();
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows a read-only token everything but no action", async () => {
    await api.define("browser_readonly", { variants: FIFTY });
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, VIEW_TOKEN);
    await page.getByText("Signed in as viewer").waitFor();
    expect(await page.getByRole("button", { name: "New experiment" }).count()).toBe(0);
    await openExperiment(page, "browser_readonly");
    await expect.poll(() => resultsSection(page).textContent()).toContain("SRM: insufficient data");
    for (const name of ["Start", "Conclude", "Archive", "Save weights", "Save coverage", "Add override"]) {
      expect(await page.getByRole("button", { name }).count(), name).toBe(0);
    }
    await page.getByText("Read-only token (viewer): no actions.").waitFor();
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows an experiment's metrics in its configuration, guardrails marked", async () => {
    await api.define("browser_metrics", {
      variants: FIFTY,
      metrics: [
        { name: "purchase", kind: "conversion" },
        { name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" },
      ],
    });
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, VIEW_TOKEN);
    await openExperiment(page, "browser_metrics");
    const metrics = panel(page, "Configuration")
      .locator("dt", { hasText: "Metrics" })
      .locator("+ dd")
      .getByRole("listitem");
    await expect
      .poll(() => metrics.allTextContents())
      .toEqual([
        "purchase conversion of purchase, higher is better",
        "refunds sum of refund, lower is better guardrail",
      ]);
    expect(await metrics.nth(1).locator(".badge-guardrail").textContent()).toBe("guardrail");
    expect(errors).toEqual([]);
  }, 30_000);

  it("creates a draft from the list, refusing a taken name and a bad variant line, then opens it", async () => {
    await api.define("browser_taken", { variants: FIFTY, description: "Already here" });
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    await button(page, "New experiment").click();
    const dialog = page.getByRole("dialog", { name: "New experiment" });
    await dialog.getByLabel("Name").fill("browser_taken");
    await dialog.getByRole("button", { name: "Create draft" }).click();
    await dialog.getByRole("alert").filter({ hasText: "An experiment named browser_taken already exists." }).waitFor();
    // The existing definition was not replaced.
    expect((await api.get("browser_taken")).description).toBe("Already here");

    await dialog.getByLabel("Name").fill("browser_created");
    await dialog.getByLabel("Variants").fill("control=1\ntreatment two");
    await dialog.getByRole("button", { name: "Create draft" }).click();
    await dialog.getByRole("alert").filter({ hasText: "line 2: 'treatment two' is not name=weight" }).waitFor();
    await expect(api.get("browser_created")).rejects.toMatchObject({ code: "not_found" });

    await dialog.getByLabel("Variants").fill("control=1\ntreatment=3");
    await dialog.getByLabel("Description").fill("Made in the dashboard");
    await dialog.getByLabel("Exclusion group").fill("browser_group");
    await dialog.getByRole("button", { name: "Create draft" }).click();
    await page.getByRole("heading", { level: 1, name: "browser_created", exact: true }).waitFor();
    expect(await api.get("browser_created")).toMatchObject({
      state: "draft",
      description: "Made in the dashboard",
      exclusion_group: "browser_group",
      variants: [
        { name: "control", weight: 1 },
        { name: "treatment", weight: 3 },
      ],
    });
    expect(errors).toEqual([]);
  }, 30_000);

  it("asks before archiving: Escape cancels, Confirm archives", async () => {
    await api.define("browser_archive", { variants: FIFTY });
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    await openExperiment(page, "browser_archive");

    const archive = button(page, "Archive");
    await archive.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Archive browser_archive?" });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect((await api.get("browser_archive")).state).toBe("draft");
    // Focus is back on the button that opened the dialog.
    expect(await archive.evaluate((element) => element === document.activeElement)).toBe(true);

    await archive.click();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await page.getByText("Archived browser_archive.").waitFor();
    expect((await api.get("browser_archive")).state).toBe("archived");
    for (const name of ["Start", "Conclude", "Archive"]) expect(await button(page, name).isDisabled(), name).toBe(true);
    expect(errors).toEqual([]);
  }, 30_000);

  it("edits weights, coverage and overrides, and shows an API refusal in the API's words", async () => {
    await api.define("browser_edit", { variants: FIFTY });
    await api.start("browser_edit");
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    await openExperiment(page, "browser_edit");

    await page.getByLabel("control", { exact: true }).fill("20");
    await page.getByLabel("treatment", { exact: true }).fill("80");
    await button(page, "Save weights").click();
    await page.getByText("Saved the weights of browser_edit.").waitFor();
    expect((await api.get("browser_edit")).variants).toEqual([
      { name: "control", weight: 20 },
      { name: "treatment", weight: 80 },
    ]);

    await page.getByLabel("Coverage (%)").fill("25");
    await button(page, "Save coverage").click();
    await page.getByText("Coverage of browser_edit set to 25%.").waitFor();
    expect((await api.get("browser_edit")).coverage).toBe(2500);

    await page.getByLabel("Actor", { exact: true }).fill("qa:alice");
    await page.getByLabel("Variant", { exact: true }).selectOption("treatment");
    await button(page, "Add override").click();
    await page.getByText("qa:alice now gets treatment.").waitFor();
    expect((await api.overrides("browser_edit")).overrides).toEqual([{ actor: "qa:alice", variant: "treatment" }]);
    await page.getByRole("button", { name: "Remove override for qa:alice" }).click();
    await page.getByText("Removed the override for qa:alice.").waitFor();
    expect((await api.overrides("browser_edit")).overrides).toEqual([]);

    // Archived behind the page's back: the page still offers Start, and shows why it fails.
    await api.archive("browser_edit");
    await page.getByLabel("control", { exact: true }).fill("30");
    await button(page, "Save weights").click();
    await page.getByRole("alert").filter({ hasText: "archived" }).waitFor();
    const detail = await page.getByRole("alert").textContent();
    await expect(api.setWeights("browser_edit", FIFTY)).rejects.toMatchObject({ detail });
    expect(errors).toEqual([]);
  }, 45_000);

  it("refuses a blank, '.' or '..' override actor on its field and sends nothing, as no URL path can carry them", async () => {
    await api.define("browser_actor_check", { variants: FIFTY });
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    await openExperiment(page, "browser_actor_check");
    const overrides = panel(page, "Overrides");
    const actor = overrides.getByLabel("Actor", { exact: true });
    const calls = recordApiCalls(page);
    for (const [typed, words] of [
      [" ", "Enter an actor id."],
      [".", "'.' cannot be an actor id here: a URL path cannot carry it"],
      [" .. ", "'..' cannot be an actor id here: a URL path cannot carry it"],
    ] as const) {
      await actor.fill(typed);
      await button(page, "Add override").click();
      await overrides.getByRole("alert").filter({ hasText: words }).waitFor();
      await expectFieldError(actor, words);
    }
    expect(calls).toEqual([]);
    expect(await page.getByText("does not support that method").count()).toBe(0);

    // A valid actor goes, and its path segment is the actor's own.
    await actor.fill("qa:bob");
    await button(page, "Add override").click();
    await page.getByText("qa:bob now gets control.").waitFor();
    expect(calls).toContain("PUT /v1/admin/experiments/browser_actor_check/overrides/qa%3Abob");
    expect((await api.overrides("browser_actor_check")).overrides).toEqual([{ actor: "qa:bob", variant: "control" }]);
    expect(errors).toEqual([]);
  }, 30_000);

  it("refuses a blank, '.' or '..' name in the New experiment dialog on its field, asking the API nothing", async () => {
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    await button(page, "New experiment").click();
    const dialog = page.getByRole("dialog", { name: "New experiment" });
    const name = dialog.getByLabel("Name");
    const calls = recordApiCalls(page);
    for (const [typed, words] of [
      ["  ", "Enter a name."],
      [".", "'.' cannot be a name here: a URL path cannot carry it"],
      ["..", "'..' cannot be a name here: a URL path cannot carry it"],
      ["-dash", "it starts with a letter or a digit"],
    ] as const) {
      await name.fill(typed);
      await dialog.getByRole("button", { name: "Create draft" }).click();
      await dialog.getByRole("alert").filter({ hasText: words }).waitFor();
      await expectFieldError(name, words);
    }
    expect(calls).toEqual([]);
    // The name's hint stays its description beside the error.
    expect(await name.evaluate((element) => element.getAttribute("aria-describedby")?.split(" ").length)).toBe(2);

    await name.fill("browser_named");
    await dialog.getByRole("button", { name: "Create draft" }).click();
    await page.getByRole("heading", { level: 1, name: "browser_named", exact: true }).waitFor();
    expect((await api.get("browser_named")).state).toBe("draft");
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows a weight the API would refuse on its field with no shares, and saves nothing", async () => {
    await api.define("browser_weight_check", { variants: FIFTY });
    await api.start("browser_weight_check");
    const { page, errors } = await openDashboard(harness, DESKTOP);
    await signIn(page, TOKEN);
    await openExperiment(page, "browser_weight_check");
    const form = page.getByRole("form", { name: "Edit weights" });
    const control = form.getByLabel("control", { exact: true });
    const shares = () => form.locator("output").allTextContents();
    expect(await shares()).toEqual(["50%", "50%"]);
    const calls = recordApiCalls(page);

    // The engine's rule and words (src/core/validation.ts): an integer in [0, 2^32 - 1].
    const words = "weight of variant 'control' must be an integer in [0, 4294967295]";
    for (const typed of ["-5", "2.5", "4294967296", ""]) {
      await control.fill(typed);
      expect(await shares(), typed).toEqual(["—", "—"]);
      await form.getByRole("alert").filter({ hasText: words }).waitFor();
      expect(await control.getAttribute("aria-invalid"), typed).toBe("true");
    }
    // Too large passes the browser's own checks (min 0, step 1): the page refuses it itself.
    await control.fill("4294967296");
    await button(page, "Save weights").click();
    await expectFieldError(control, words);
    expect(calls).toEqual([]);
    expect((await api.get("browser_weight_check")).variants).toEqual(FIFTY);

    await control.fill("30");
    expect(await shares()).toEqual(["37.5%", "62.5%"]);
    expect(await form.getByRole("alert").count()).toBe(0);
    expect(await control.getAttribute("aria-invalid")).toBeNull();
    expect(errors).toEqual([]);
  }, 30_000);

  it("shows the winner of a concluded experiment only, not once it is started again", async () => {
    for (const name of ["browser_concluded", "browser_restarted"]) {
      await api.define(name, { variants: FIFTY });
      await api.start(name);
      await api.conclude(name, "treatment");
    }
    await api.start("browser_restarted");
    // The config keeps the old winner (as the reference module does): the page must not show it.
    expect(await api.get("browser_restarted")).toMatchObject({ state: "running", winner: "treatment" });

    for (const viewport of [DESKTOP, PHONE]) {
      const { page, errors } = await openDashboard(harness, viewport);
      await signIn(page, TOKEN);
      const row = (name: string) => page.getByRole("table").getByRole("row").filter({ hasText: name });
      // On a phone the row is a card: the note shows there too.
      expect(await row("browser_concluded").getByText("winner treatment").isVisible()).toBe(true);
      expect(await row("browser_restarted").textContent()).toContain("running");
      expect(await row("browser_restarted").textContent()).not.toContain("winner");

      await openExperiment(page, "browser_restarted");
      await expect.poll(() => resultsSection(page).textContent()).toContain("SRM:");
      expect(await detailHeader(page).textContent()).not.toContain("winner");
      expect(await resultsSection(page).textContent()).not.toMatch(/winner/i);

      await page.getByRole("link", { name: "← All experiments" }).click();
      await openExperiment(page, "browser_concluded");
      await expect.poll(() => resultsSection(page).textContent()).toContain("SRM:");
      expect(await detailHeader(page).textContent()).toContain("winner: treatment");
      expect(await resultsSection(page).getByRole("row").filter({ hasText: "treatment" }).textContent()).toMatch(
        /winner/i,
      );
      expect(errors).toEqual([]);
    }
  }, 60_000);

  it("names every control, and fits a 375 px wide screen", async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const { page, errors } = await openDashboard(harness, viewport);
      await signIn(page, TOKEN);
      await expectNamedControls(page);
      await expectNoSidewaysScroll(page);
      // On a desktop the table fits; on a phone its rows are cards: it never needs scrolling sideways.
      const table = page.getByRole("region", { name: "Experiments" });
      expect(
        await table.evaluate((element) => element.scrollWidth - element.clientWidth),
        `${viewport.width} px`,
      ).toBeLessThanOrEqual(0);
      if (viewport === PHONE) await page.screenshot({ path: join(tmpdir(), "dashboard-375-list.png"), fullPage: true });
      await openExperiment(page, "checkout_v2");
      await expect.poll(() => resultsSection(page).textContent()).toContain("SRM:");
      await expectNamedControls(page);
      await expectNoSidewaysScroll(page);
      if (viewport === PHONE)
        await page.screenshot({ path: join(tmpdir(), "dashboard-375-detail.png"), fullPage: true });
      expect(errors).toEqual([]);
    }
  }, 45_000);
});
