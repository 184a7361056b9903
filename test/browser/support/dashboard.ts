// What a browser test of the dashboard needs around the page: `wrangler dev` serving the
// freshly built dashboard, Chromium, an API client, and the operator's first steps
// (open, sign in, open an experiment), for a test file that starts its own Worker and
// browser.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page, ViewportSize } from "playwright-core";
import { startWranglerDev, type WranglerDev } from "../../../scripts/lib/wrangler-dev.mjs";
import { ExperimentsClient } from "../../../src/client";
import { buildDashboard } from "./build";
import { ensureChromium, launchChromium } from "./chromium";

export interface DashboardHarness {
  /** The Worker's origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The admin token the Worker accepts (write scope). */
  token: string;
  api: ExperimentsClient;
  browser: Browser;
  /** Closes the browser, stops the Worker and deletes its state. */
  stop(): Promise<void>;
}

/**
 * Builds the dashboard from the sources as they are now, starts `wrangler dev` on a free
 * port with its own persisted state, and launches Chromium. Takes up to a minute.
 *
 * @example
 * let harness: DashboardHarness;
 * beforeAll(async () => { harness = await startDashboardHarness(); }, 180_000);
 * afterAll(() => harness?.stop(), 30_000);
 */
export async function startDashboardHarness(
  options: {
    /** The write token (`ADMIN_TOKEN`). */
    token?: string;
    /** More of the Worker's vars (`ADMIN_TOKENS` for a read token, say). */
    vars?: Record<string, string>;
  } = {},
): Promise<DashboardHarness> {
  const token = options.token ?? "browser-admin-token";
  ensureChromium();
  await buildDashboard();
  const persistTo = mkdtempSync(join(tmpdir(), "dashboard-browser-"));
  let dev: WranglerDev | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await dev?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
  try {
    // A config cache of 0 ms: a started experiment assigns as soon as the registry publishes it.
    dev = await startWranglerDev({
      token,
      persistTo,
      vars: { ...options.vars, CONFIG_CACHE_TTL_MS: "0" },
      quiet: true,
    });
    browser = await launchChromium();
  } catch (error) {
    await stop();
    throw error;
  }
  // 30 s, not the client's 10: a test machine running other suites beside this one can be slow.
  const api = new ExperimentsClient({ baseUrl: dev.url, token, timeout: 30_000 });
  return { url: dev.url, token, api, browser, stop };
}

/**
 * A fresh browser context (its own session storage) on the dashboard. Errors the page logs
 * (an exception, a request the CSP blocked) are collected in `errors`; API refusals are
 * not, since the page shows those itself.
 */
export async function openDashboard(
  harness: DashboardHarness,
  viewport: ViewportSize,
): Promise<{ page: Page; errors: string[] }> {
  const context = await harness.browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    const { url } = message.location();
    if (message.type() === "error" && !url.startsWith(`${harness.url}/v1/`)) errors.push(`${message.text()} (${url})`);
  });
  await page.goto(`${harness.url}/dashboard/`);
  return { page, errors };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Save token" }).click();
  await page.getByRole("heading", { level: 1, name: "Experiments" }).waitFor();
}

export async function openExperiment(page: Page, name: string): Promise<void> {
  await page.getByRole("table").getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
}

/**
 * A panel of the detail page by its heading (`Results`, `Overrides`, `History`): exactly
 * that name, not the table regions inside (`History, newest first`).
 */
export const panel = (page: Page, name: string): Locator => page.getByRole("region", { name, exact: true });

/** The detail page's Results section. */
export const resultsSection = (page: Page): Locator => panel(page, "Results");

/** Polls `check` every `interval` ms until it is true; fails after `timeout` ms. Usable in `beforeAll`, unlike `expect.poll`. */
export async function until(
  what: string | (() => string),
  check: () => Promise<boolean>,
  timeout = 30_000,
  interval = 250,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Assigns `n` actors (`<prefix>0` …) to `experiment`, 25 at a time, once it reaches the edge; then waits until all are counted. */
export async function assignActors(api: ExperimentsClient, experiment: string, n: number, prefix = "user:") {
  await until(`${experiment} to assign`, () =>
    api.assign(experiment, { actor: `${prefix}0` }).then(
      () => true,
      () => false,
    ),
  );
  for (let i = 1; i < n; i += 25) {
    const batch = Array.from({ length: Math.min(25, n - i) }, (_, j) => `${prefix}${i + j}`);
    await Promise.all(batch.map((actor) => api.assign(experiment, { actor })));
  }
  // Results lag assignments by the events queue's batch delay (about a second).
  let counted = 0;
  await until(
    () => `${n} enrolments in ${experiment} (${counted} so far)`,
    async () => {
      const { variants } = await api.results(experiment);
      counted = variants.reduce((sum, v) => sum + v.enrolled, 0);
      return counted === n;
    },
  );
}
