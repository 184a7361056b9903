// A page on another origin calls the public assignment routes from a real browser
// (Debian's Chromium, driven by playwright-core): a listed origin gets its answers and
// keeps its exp_actor cookie across calls; an unlisted one is stopped by the browser.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.mjs";
import { ExperimentsClient } from "../../src/client";
import { ensureChromium, launchChromium } from "./support/chromium";

const TOKEN = "cors-admin-token";
const EXPERIMENT = "cors-checkout";

let dev: WranglerDev;
let browser: Browser;
let persistTo: string;
let listed: Server;
let unlisted: Server;

/** A local origin that serves one empty page, as a shop's front end would. */
async function pageServer(port: number): Promise<Server> {
  const server = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>shop</title><p>shop</p>");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

const originOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  ensureChromium();
  listed = await pageServer(await freePort());
  unlisted = await pageServer(await freePort());
  persistTo = mkdtempSync(join(tmpdir(), "cors-browser-"));
  dev = await startWranglerDev({
    token: TOKEN,
    persistTo,
    vars: { CONFIG_CACHE_TTL_MS: "0", CORS_ORIGINS: originOf(listed) },
    quiet: true,
  });
  const api = new ExperimentsClient({ baseUrl: dev.url, token: TOKEN });
  await api.define(EXPERIMENT, {
    variants: [
      { name: "control", weight: 50 },
      { name: "treatment", weight: 50 },
    ],
  });
  await api.start(EXPERIMENT);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  listed?.close();
  unlisted?.close();
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
}, 30_000);

async function pageOn(server: Server): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${originOf(server)}/`);
  return page;
}

/** What the page's script gets from a credentialed fetch to the Worker (or the browser's refusal). */
function fetchFrom(
  page: Page,
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> },
) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, { ...init, credentials: "include" });
        return {
          status: response.status,
          body: await response.json(),
          requestId: response.headers.get("x-request-id"),
        };
      } catch (error) {
        return { refused: String(error) };
      }
    },
    { url, init },
  );
}

describe("a page on another origin", () => {
  it("listed in CORS_ORIGINS, assigns with GET and POST and keeps its exp_actor cookie", async () => {
    const page = await pageOn(listed);
    let first: Awaited<ReturnType<typeof fetchFrom>> | undefined;
    for (let i = 0; i < 50; i++) {
      first = await fetchFrom(page, `${dev.url}/v1/assign/${EXPERIMENT}`, {});
      if ("status" in first && first.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200)); // the registry publishes within a second
    }
    expect(first).toMatchObject({ status: 200, body: { experiment: EXPERIMENT } });
    const actor = (first as { body: { actor: string } }).body.actor;
    expect(actor).toMatch(/^anon:/);
    // A script may read the exposed headers.
    expect((first as { requestId: string | null }).requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );

    // The cookie came back: the same anonymous actor, through a preflighted POST with JSON.
    const again = await fetchFrom(page, `${dev.url}/v1/assign`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiments: [EXPERIMENT] }),
    });
    expect(again).toMatchObject({ status: 200, body: { actor } });

    // A header the preflight allows.
    const named = await fetchFrom(page, `${dev.url}/v1/assign/${EXPERIMENT}`, { headers: { "x-actor-id": "user:7" } });
    expect(named).toMatchObject({ status: 200, body: { actor: "user:7" } });
    await page.close();
  });

  it("not listed, is refused by the browser, and admin routes refuse every origin", async () => {
    const page = await pageOn(unlisted);
    expect(await fetchFrom(page, `${dev.url}/v1/assign/${EXPERIMENT}`, {})).toHaveProperty("refused");
    await page.close();
    const shop = await pageOn(listed);
    const admin = await fetchFrom(shop, `${dev.url}/v1/admin/experiments`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(admin).toHaveProperty("refused");
    await shop.close();
  });
});
