// What runs unattended, in the dashboard (issue 23): an experiment's schedule and its
// automatic stop on guardrails, set through the page, and the Webhooks page, in Debian's
// Chromium against the real Worker under `wrangler dev`. Each change is checked in the
// API's own read as well as on the page.
//
// `UPDATE_SCREENSHOTS=1 npx vitest run --project browser test/browser/unattended.test.ts`
// writes docs/dashboard-schedule.png (the Configuration panel), docs/dashboard-webhooks.png
// and docs/dashboard-webhook-secret.png; otherwise they, and the phone screenshots, go to
// the system's temporary directory.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExperimentConfig, ExperimentsClient, RequestInput } from "../../src/client";
import { WEBHOOK_EVENT_TYPES } from "../../src/core/webhooks";
import {
  type DashboardHarness,
  openDashboard,
  openExperiment,
  panel,
  signIn,
  startDashboardHarness,
  until,
} from "./support/dashboard";
import { expectFieldError, expectNamedControls, expectNoSidewaysScroll, recordApiCalls } from "./support/page-checks";

const VIEW_TOKEN = "unattended-view-token";
const DESKTOP = { width: 1280, height: 900 };
const PHONES = [
  { width: 375, height: 812 },
  { width: 320, height: 568 },
];
const FIFTY = [
  { name: "control", weight: 50 },
  { name: "treatment", weight: 50 },
];
const METRICS = [
  { name: "purchase", kind: "conversion" as const },
  { name: "errors", event: "error", kind: "sum" as const, direction: "decrease" as const, role: "guardrail" as const },
];
/** A draft with every field of a definition set, scheduled through the dialog. */
const SCHEDULED = "launch_banner";
/** A running experiment in a layer and a holdout, with a scheduled conclusion: auto-stop is switched on it. */
const GUARDED = "checkout_guard";
const HOLDOUT = "q1_holdout";
/** Next year's Christmas Eve and the week after it, as typed in the dialog (UTC). */
const YEAR = new Date().getUTCFullYear() + 1;
const START_TYPED = `${YEAR}-12-24T09:00`;
const CONCLUDE_TYPED = `${YEAR + 1}-01-07T09:00`;
const START_AT = Date.UTC(YEAR, 11, 24, 9) / 1000;
const CONCLUDE_AT = Date.UTC(YEAR + 1, 0, 7, 9) / 1000;
const START_WORDS = `${YEAR}-12-24 09:00 UTC`;
const CONCLUDE_WORDS = `${YEAR + 1}-01-07 09:00 UTC`;

let harness: DashboardHarness;
let api: ExperimentsClient;
const shots = process.env.UPDATE_SCREENSHOTS === "1" ? "docs" : tmpdir();

beforeAll(async () => {
  harness = await startDashboardHarness({ vars: { ADMIN_TOKENS: `viewer:read:${VIEW_TOKEN}` } });
  api = harness.api;
  await api.define(SCHEDULED, {
    variants: FIFTY,
    description: "The holiday banner",
    exclusion_group: "banners",
    targeting: [{ attribute: "country", operator: "in", values: ["DE", "FR"] }],
    coverage: 5000,
    hash_version: 2,
    metrics: METRICS,
  });
  await call("defineHoldout", { params: { name: HOLDOUT }, body: { coverage: 500 } });
  await api.define(GUARDED, {
    variants: FIFTY,
    metrics: METRICS,
    layer: { name: "checkout", range: [0, 5000] },
    holdout: HOLDOUT,
    schedule: { conclude_at_secs: CONCLUDE_AT, winner: "control" },
  });
  await api.start(GUARDED);
}, 180_000);

afterAll(() => harness?.stop(), 30_000);

/** A route without a typed method, through the client's `request`; a refusal fails the test. */
async function call<K extends "defineHoldout" | "defineWebhook" | "listWebhooks">(route: K, input: RequestInput<K>) {
  const response = await api.request(route, input);
  if (!response.ok) throw response.error;
  return response.body;
}

async function webhookNames(): Promise<string[]> {
  return (await call("listWebhooks", {})).webhooks.map((w) => w.name);
}

/** Every field a definition `PUT` carries besides the schedule and auto_stop: what changing those two must leave alone. */
function otherFields(config: ExperimentConfig) {
  const { description, exclusion_group, targeting, coverage, hash_version, metrics, layer, holdout, variants } = config;
  return { description, exclusion_group, targeting, coverage, hash_version, metrics, layer, holdout, variants };
}

const button = (scope: Page | Locator, name: string): Locator => scope.getByRole("button", { name, exact: true });
/** A fact of the Configuration panel, by its term. */
const fact = (page: Page, term: string): Locator =>
  panel(page, "Configuration").locator("dt", { hasText: term }).locator("+ dd");
const scheduleDialog = (page: Page, name: string): Locator => page.getByRole("dialog", { name: `Schedule ${name}` });
const webhooksTable = (page: Page): Locator => page.getByRole("table", { name: "Webhooks", exact: true });
const webhookRow = (page: Page, name: string): Locator =>
  webhooksTable(page)
    .getByRole("row")
    .filter({ has: page.getByText(name, { exact: true }) });

async function openAs(token: string, experiment: string, viewport = DESKTOP) {
  const opened = await openDashboard(harness, viewport);
  await signIn(opened.page, token);
  await openExperiment(opened.page, experiment);
  return opened;
}

async function openWebhooks(token = harness.token, viewport = DESKTOP) {
  const opened = await openDashboard(harness, viewport);
  await signIn(opened.page, token);
  await opened.page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Webhooks" }).click();
  await opened.page.getByRole("heading", { level: 1, name: "Webhooks", exact: true }).waitFor();
  return opened;
}

/** Whether `secret` is anywhere in the page: its markup (text and attributes), a field's value, or the tab's storage. */
function secretShown(page: Page, secret: string): Promise<boolean> {
  return page.evaluate(
    (s) =>
      document.documentElement.outerHTML.includes(s) ||
      [...document.querySelectorAll("input")].some((input) => input.value.includes(s)) ||
      JSON.stringify({ ...sessionStorage, ...localStorage }).includes(s),
    secret,
  );
}

describe("an experiment's schedule", () => {
  it("is set in the Schedule dialog, in UTC, then read back by the API and shown in Configuration", async () => {
    const before = await api.get(SCHEDULED);
    const { page, errors } = await openAs(harness.token, SCHEDULED);
    expect(await fact(page, "Scheduled").textContent()).toContain("Nothing scheduled");

    await button(page, "Edit schedule").click();
    const dialog = scheduleDialog(page, SCHEDULED);
    expect(await dialog.textContent()).toContain("Times are UTC, not your local time");
    await dialog.getByLabel("Start at (UTC)").fill(START_TYPED);
    await dialog.getByLabel("Conclude at (UTC)").fill(CONCLUDE_TYPED);
    await dialog.getByLabel("Winner at the conclusion").selectOption("treatment");
    await button(dialog, "Save schedule").click();
    await page.getByText(`Saved the schedule of ${SCHEDULED}.`).waitFor();

    const after = await api.get(SCHEDULED);
    expect(after.schedule).toEqual({ start_at_secs: START_AT, conclude_at_secs: CONCLUDE_AT, winner: "treatment" });
    expect(otherFields(after)).toEqual(otherFields(before));
    expect(after.auto_stop).toBe(false);
    expect(await fact(page, "Scheduled").textContent()).toContain(
      `Starts ${START_WORDS}, concludes ${CONCLUDE_WORDS} with treatment`,
    );
    expect(await panel(page, "History").getByRole("row").nth(1).textContent()).toContain("Definition replaced");
    await panel(page, "Configuration").screenshot({ path: join(shots, "dashboard-schedule.png") });

    // Opened again, the dialog shows the schedule as it is.
    await button(page, "Edit schedule").click();
    expect(await dialog.getByLabel("Start at (UTC)").inputValue()).toBe(START_TYPED);
    expect(await dialog.getByLabel("Conclude at (UTC)").inputValue()).toBe(CONCLUDE_TYPED);
    expect(await dialog.getByLabel("Winner at the conclusion").inputValue()).toBe("treatment");
    await dialog.screenshot({ path: join(tmpdir(), "dashboard-schedule-dialog.png") });
    await button(dialog, "Cancel").click();
    expect(errors).toEqual([]);
  }, 60_000);

  it("refuses a past time, a conclusion not after the start, and a winner without a conclusion before sending anything", async () => {
    const { page, errors } = await openAs(harness.token, SCHEDULED);
    await button(page, "Edit schedule").click();
    const dialog = scheduleDialog(page, SCHEDULED);
    const start = dialog.getByLabel("Start at (UTC)");
    const conclude = dialog.getByLabel("Conclude at (UTC)");
    const winner = dialog.getByLabel("Winner at the conclusion");
    const calls = recordApiCalls(page);
    const refused = async (field: Locator, words: string) => {
      await button(dialog, "Save schedule").click();
      await dialog.getByRole("alert").filter({ hasText: words }).waitFor();
      await expectFieldError(field, words);
    };

    await start.fill("2020-01-01T09:00");
    await refused(start, "The start must be in the future: it is now ");
    await start.fill(START_TYPED);
    await conclude.fill(START_TYPED);
    await refused(conclude, `The conclusion must come after the start (${START_WORDS}).`);
    await conclude.fill(CONCLUDE_TYPED);
    await winner.selectOption("");
    await refused(winner, "Choose the winner everyone gets once it concludes.");
    await conclude.fill("");
    await winner.selectOption("control");
    await refused(winner, "A winner goes with a conclusion: set when to conclude, or choose no winner.");
    expect(calls).toEqual([]);

    await button(dialog, "Cancel").click();
    expect((await api.get(SCHEDULED)).schedule?.start_at_secs).toBe(START_AT);
    expect(errors).toEqual([]);
  }, 60_000);

  it("shows the API's refusal in its words, on the field, when the browser's clock is behind the Worker's", async () => {
    const { page, errors } = await openAs(harness.token, SCHEDULED);
    // An hour ago by the Worker's clock: the page, a day behind, takes it for the future.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await page.clock.setFixedTime(new Date(anHourAgo.getTime() - 86_400_000));
    await button(page, "Edit schedule").click();
    const dialog = scheduleDialog(page, SCHEDULED);
    const start = dialog.getByLabel("Start at (UTC)");
    await start.fill(anHourAgo.toISOString().slice(0, 16));
    await button(dialog, "Save schedule").click();
    await dialog.getByRole("alert").filter({ hasText: "schedule.start_at_secs must be in the future" }).waitFor();
    await expectFieldError(start, "schedule.start_at_secs must be in the future (now is ");
    await button(dialog, "Cancel").click();
    expect((await api.get(SCHEDULED)).schedule?.start_at_secs).toBe(START_AT);
    expect(errors).toEqual([]);
  }, 60_000);

  it("is cleared with Clear schedule, the rest of the definition kept", async () => {
    const before = await api.get(SCHEDULED);
    const { page, errors } = await openAs(harness.token, SCHEDULED);
    await button(page, "Clear schedule").click();
    await page.getByText(`Cleared the schedule of ${SCHEDULED}.`).waitFor();
    const after = await api.get(SCHEDULED);
    expect(after.schedule).toBeNull();
    expect(otherFields(after)).toEqual(otherFields(before));
    expect(await fact(page, "Scheduled").textContent()).toBe("Nothing scheduledEdit schedule");
    expect(await button(page, "Clear schedule").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);

  it("names the schedule as the actor of what it fired or skipped, and words the skip", async () => {
    // A draft that starts in three seconds, and one whose start would overlap a running experiment of its layer.
    const soon = () => ({ start_at_secs: Math.floor(Date.now() / 1000) + 3 });
    await api.define("search_a", { variants: FIFTY, layer: { name: "search", range: [0, 5000] } });
    await api.start("search_a");
    await api.define("search_b", {
      variants: FIFTY,
      layer: { name: "search", range: [2500, 7500] },
      schedule: soon(),
    });
    await api.define("timed_start", { variants: FIFTY, schedule: soon() });
    const latest = async (name: string) => (await api.history(name, { limit: 1 })).history[0];
    await until("the schedules to fire", async () => {
      const [fired, skipped] = await Promise.all([latest("timed_start"), latest("search_b")]);
      return fired?.actor === "schedule" && skipped?.actor === "schedule";
    });
    expect((await latest("search_b"))?.mutation).toBe("schedule_skipped=start (layer_overlap)");

    const { page, errors } = await openAs(harness.token, "timed_start");
    const firstRow = (p: Page) => panel(p, "History").getByRole("row").nth(1).getByRole("cell");
    expect((await firstRow(page).allTextContents()).slice(1)).toEqual(["Started", "Schedule automatic"]);
    expect(await fact(page, "Scheduled").textContent()).toContain("Nothing scheduled");
    await page.getByRole("link", { name: "← All experiments" }).click();
    await openExperiment(page, "search_b");
    expect((await firstRow(page).allTextContents()).slice(1)).toEqual([
      "Scheduled start skipped (layer_overlap)",
      "Schedule automatic",
    ]);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe("auto-stop on guardrails", () => {
  it("is switched on and off from Configuration, every other field of a running experiment kept", async () => {
    const before = await api.get(GUARDED);
    const { page, errors } = await openAs(harness.token, GUARDED);
    const autoStop = fact(page, "Auto-stop on guardrails");
    expect(await autoStop.locator(".fact-text").textContent()).toBe("off");

    await button(page, "Turn auto-stop on").click();
    await page.getByText(`Auto-stop on guardrails is now on for ${GUARDED}.`).waitFor();
    const on = await api.get(GUARDED);
    expect(on.auto_stop).toBe(true);
    expect(otherFields(on)).toEqual(otherFields(before));
    expect([on.state, on.schedule]).toEqual(["running", before.schedule]);
    expect(await autoStop.locator(".fact-text").textContent()).toBe(
      "on (concludes on the first variant once a guardrail gets worse)",
    );

    await button(page, "Turn auto-stop off").click();
    await page.getByText(`Auto-stop on guardrails is now off for ${GUARDED}.`).waitFor();
    const off = await api.get(GUARDED);
    expect(off.auto_stop).toBe(false);
    expect(otherFields(off)).toEqual(otherFields(before));
    expect(off.schedule).toEqual(before.schedule);
    expect(await autoStop.locator(".fact-text").textContent()).toBe("off");
    expect(await fact(page, "Scheduled").textContent()).toContain(`Concludes ${CONCLUDE_WORDS} with control`);
    expect(errors).toEqual([]);
  }, 60_000);

  it("says when there is no guardrail to watch", async () => {
    await api.define("no_guardrail", { variants: FIFTY, auto_stop: true });
    const { page, errors } = await openAs(harness.token, "no_guardrail");
    expect(await fact(page, "Auto-stop on guardrails").locator(".fact-text").textContent()).toBe(
      "on (no metric is a guardrail: nothing to watch)",
    );
    expect(errors).toEqual([]);
  }, 30_000);
});

describe("the Webhooks page", () => {
  it("creates a webhook and shows its secret once, with a copy button, never in the list nor after a reload", async () => {
    const { page, errors } = await openWebhooks();
    const nav = page.getByRole("navigation", { name: "Sections" });
    expect(await nav.getByRole("link", { name: "Webhooks" }).getAttribute("aria-current")).toBe("page");
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: harness.url });

    await button(page, "New webhook").click();
    const dialog = page.getByRole("dialog", { name: "New webhook" });
    await dialog.getByLabel("Name").fill("ops_alerts");
    await dialog.getByLabel("URL").fill("https://hooks.example.com/experiments");
    const unchecked: readonly string[] = [
      "experiment.created",
      "experiment.updated",
      "override.set",
      "override.removed",
    ];
    for (const type of unchecked) await dialog.getByLabel(type, { exact: true }).uncheck();
    await button(dialog, "Create webhook").click();

    const shown = page.getByRole("dialog", { name: "Webhook ops_alerts created" });
    expect(await shown.getAttribute("aria-describedby")).not.toBeNull();
    expect(await shown.textContent()).toContain("Copy it now: it is shown only this once.");
    const secret = await shown.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    await button(shown, "Copy").click();
    await shown.getByText("Copied to the clipboard.").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await shown.screenshot({ path: join(shots, "dashboard-webhook-secret.png") });
    await button(shown, "Done").click();
    await page.getByText("Created webhook ops_alerts.").waitFor();

    const [listed] = (await call("listWebhooks", {})).webhooks.filter((w) => w.name === "ops_alerts");
    expect(listed).toMatchObject({
      url: "https://hooks.example.com/experiments",
      events: WEBHOOK_EVENT_TYPES.filter((type) => !unchecked.includes(type)),
    });
    expect(listed).not.toHaveProperty("secret");
    const cells = webhookRow(page, "ops_alerts").locator("td");
    expect((await cells.allTextContents()).slice(0, 2)).toEqual([
      "ops_alerts",
      "https://hooks.example.com/experiments",
    ]);
    expect(await cells.nth(2).getByRole("listitem").allTextContents()).toEqual(listed?.events);
    expect(await secretShown(page, secret)).toBe(false);
    await page.screenshot({ path: join(shots, "dashboard-webhooks.png") });
    await page.reload();
    await webhookRow(page, "ops_alerts").waitFor();
    expect(await secretShown(page, secret)).toBe(false);
    expect(errors).toEqual([]);
  }, 60_000);

  it("refuses a taken name and no event type before sending, and shows the API's refusal of a URL on its field", async () => {
    await call("defineWebhook", { params: { name: "taken" }, body: { url: "https://hooks.example.com/taken" } });
    const { page, errors } = await openWebhooks();
    await button(page, "New webhook").click();
    const dialog = page.getByRole("dialog", { name: "New webhook" });
    const name = dialog.getByLabel("Name");
    const url = dialog.getByLabel("URL");

    const calls = recordApiCalls(page);
    await name.fill("quiet");
    await url.fill("https://hooks.example.com/quiet");
    for (const box of await dialog.getByRole("checkbox").all()) await box.uncheck();
    await button(dialog, "Create webhook").click();
    await dialog.getByRole("alert").filter({ hasText: "Choose at least one event type." }).waitFor();
    await expectFieldError(dialog.getByLabel("experiment.created", { exact: true }), "Choose at least one event type.");
    expect(calls).toEqual([]);
    await dialog.getByLabel("guardrail.breached", { exact: true }).check();

    await name.fill("taken");
    await button(dialog, "Create webhook").click();
    await dialog.getByRole("alert").filter({ hasText: "A webhook named taken already exists." }).waitFor();
    expect(calls).toEqual(["GET /v1/admin/webhooks"]);

    await name.fill("plain_http");
    await url.fill("http://hooks.example.com/plain");
    await button(dialog, "Create webhook").click();
    const words = "webhook url must be https:// (http:// only with WEBHOOK_ALLOW_HTTP=1)";
    await dialog.getByRole("alert").filter({ hasText: words }).waitFor();
    await expectFieldError(url, words);
    await button(dialog, "Cancel").click();
    expect(await webhookNames()).not.toContain("plain_http");
    expect(errors).toEqual([]);
  }, 60_000);

  it("rotates a secret after confirming, showing the new one once", async () => {
    const { secret: first } = await call("defineWebhook", {
      params: { name: "rotated" },
      body: { url: "https://hooks.example.com/rotated" },
    }).then((body) => ({ secret: "secret" in body ? body.secret : "" }));
    const { page, errors } = await openWebhooks();
    await button(page, "Rotate secret of rotated").click();
    const confirm = page.getByRole("dialog", { name: "Rotate the secret of rotated?" });
    await button(confirm, "Rotate secret").click();
    const shown = page.getByRole("dialog", { name: "New secret of rotated" });
    const second = await shown.getByLabel("Signing secret").inputValue();
    expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(second).not.toBe(first);
    await button(shown, "Done").click();
    await page.getByText("Rotated the secret of rotated.").waitFor();
    expect(await secretShown(page, second)).toBe(false);
    expect(errors).toEqual([]);
  }, 60_000);

  it("deletes a webhook only once confirmed", async () => {
    await call("defineWebhook", { params: { name: "doomed" }, body: { url: "https://hooks.example.com/doomed" } });
    const { page, errors } = await openWebhooks();
    const confirm = page.getByRole("dialog", { name: "Delete webhook doomed?" });
    await button(page, "Delete doomed").click();
    await button(confirm, "Cancel").click();
    expect(await webhookNames()).toContain("doomed");

    await button(page, "Delete doomed").click();
    await button(confirm, "Delete webhook").click();
    await page.getByText("Deleted webhook doomed.").waitFor();
    expect(await webhookNames()).not.toContain("doomed");
    expect(await webhookRow(page, "doomed").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe("a read-only token", () => {
  it("sees the webhooks, the schedule and auto-stop, and no action on any of them", async () => {
    await call("defineWebhook", { params: { name: "watched" }, body: { url: "https://hooks.example.com/watched" } });
    const { page, errors } = await openWebhooks(VIEW_TOKEN);
    await webhookRow(page, "watched").waitFor();
    expect(await webhookRow(page, "watched").locator("td").nth(2).textContent()).toBe("All event types");
    expect(await page.getByRole("button").allTextContents()).toEqual(["Sign out", "Refresh"]);

    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Experiments" }).click();
    await openExperiment(page, GUARDED);
    expect(await fact(page, "Scheduled").textContent()).toBe(`Concludes ${CONCLUDE_WORDS} with control`);
    expect(await fact(page, "Auto-stop on guardrails").textContent()).toBe("off");
    expect(await panel(page, "Configuration").getByRole("button").count()).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe("on a phone", () => {
  it.each(PHONES)(
    "fits $width px: the schedule and its dialog, the webhooks and their dialogs",
    async (viewport) => {
      await call("defineWebhook", {
        params: { name: "a_subscription_with_a_long_name" },
        body: { url: `https://hooks.example.com/${"very-long-path-segment/".repeat(6)}?token=none` },
      });
      const { page, errors } = await openAs(harness.token, GUARDED, viewport);
      await fact(page, "Scheduled").waitFor();
      await expectNoSidewaysScroll(page, "experiment");
      await expectNamedControls(page);
      await button(page, "Edit schedule").click();
      const dialog = scheduleDialog(page, GUARDED);
      await expectNoSidewaysScroll(page, "schedule dialog");
      expect(await dialog.evaluate((d) => d.scrollWidth - d.clientWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(tmpdir(), `dashboard-schedule-${viewport.width}.png`) });
      await button(dialog, "Cancel").click();

      await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Webhooks" }).click();
      await page.getByRole("heading", { level: 1, name: "Webhooks", exact: true }).waitFor();
      await expectNoSidewaysScroll(page, "webhooks");
      await expectNamedControls(page);
      await page.screenshot({ path: join(tmpdir(), `dashboard-webhooks-${viewport.width}.png`), fullPage: true });
      await button(page, "New webhook").click();
      const create = page.getByRole("dialog", { name: "New webhook" });
      expect(await create.evaluate((d) => d.scrollWidth - d.clientWidth)).toBeLessThanOrEqual(0);
      await create.screenshot({ path: join(tmpdir(), `dashboard-new-webhook-${viewport.width}.png`) });
      await button(create, "Cancel").click();
      await button(page, "Rotate secret of a_subscription_with_a_long_name").click();
      await button(page.getByRole("dialog"), "Rotate secret").click();
      const shown = page.getByRole("dialog", { name: "New secret of a_subscription_with_a_long_name" });
      expect(await shown.evaluate((d) => d.scrollWidth - d.clientWidth)).toBeLessThanOrEqual(0);
      await button(shown, "Done").click();
      expect(errors).toEqual([]);
    },
    60_000,
  );
});
