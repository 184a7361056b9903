// The detail page's Results table on a phone, in Debian's Chromium against `wrangler dev`
// (issue 19, item 8). At 390 × 844 (a current iPhone) and 640 × 360 (a phone on its side)
// the table fits its card whole; on a narrower screen it scrolls inside a labelled region
// that the keyboard reaches, with a shade on the side where columns are hidden.
//
// `UPDATE_SCREENSHOTS=1 npx vitest run --project browser test/browser/phone.test.ts`
// writes docs/dashboard-phone.png; otherwise it goes to the system's temporary directory.
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assignActors,
  type DashboardHarness,
  openDashboard,
  openExperiment,
  resultsSection,
  signIn,
  startDashboardHarness,
} from "./support/dashboard";

const PHONE = { width: 390, height: 844 };
/** A 360 × 640 phone on its side: past the page's 600 px phone styles, yet too narrow for the full table. */
const LANDSCAPE = { width: 640, height: 360 };
/** The narrowest phone in use (iPhone SE, first generation). */
const NARROW = { width: 320, height: 568 };
const EXPERIMENT = "pricing_page";
/** The name of the box the table scrolls in (its caption); it must not contain "Results", the section's name. */
const TABLE_NAME = "Enrolments and exposures by variant";

let harness: DashboardHarness;

beforeAll(async () => {
  harness = await startDashboardHarness();
  const { api } = harness;
  // Three variants, the longest name the winner (its tag lengthens that name's line).
  await api.define(EXPERIMENT, {
    variants: [
      { name: "monthly", weight: 34 },
      { name: "annual", weight: 33 },
      { name: "annual_discount", weight: 33 },
    ],
  });
  await api.start(EXPERIMENT);
  await assignActors(api, EXPERIMENT, 150);
  await api.conclude(EXPERIMENT, "annual_discount");
}, 180_000);

afterAll(() => harness?.stop(), 30_000);

/** Signs in on a fresh page of this size and opens the experiment, its results loaded. */
async function openResults(viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  const opened = await openDashboard(harness, viewport);
  await signIn(opened.page, harness.token);
  await openExperiment(opened.page, EXPERIMENT);
  await expect.poll(() => resultsSection(opened.page).textContent()).toContain("SRM:");
  return opened;
}

const scrollBox = (page: Page): Locator => resultsSection(page).getByRole("region", { name: TABLE_NAME, exact: true });
const exposuresHead = (page: Page): Locator =>
  resultsSection(page).getByRole("columnheader", { name: "Exposures", exact: true });

/** The table's box and how far the table reaches past it, in CSS pixels. */
async function overflow(page: Page): Promise<{ hidden: number; scrollable: number }> {
  return resultsSection(page)
    .getByRole("table")
    .evaluate((table) => {
      const box = table.parentElement as HTMLElement;
      return { hidden: table.scrollWidth - box.clientWidth, scrollable: box.scrollWidth - box.clientWidth };
    });
}

/**
 * Every results cell that shows on screen, as `text: fault` for each one that is cut: its
 * text wider than the cell, a word of it split over two lines, or the cell outside the
 * visible part of the table's box. (The visually hidden "Variant" head is left out.)
 */
async function cutCells(page: Page): Promise<string[]> {
  return resultsSection(page)
    .getByRole("table")
    .evaluate((table) => {
      const box = (table.parentElement as HTMLElement).getBoundingClientRect();
      const faults: string[] = [];
      for (const cell of table.querySelectorAll<HTMLElement>("th, td")) {
        const rect = cell.getBoundingClientRect();
        if (rect.width <= 1 || rect.height <= 1) continue;
        const text = cell.textContent ?? "";
        if (cell.scrollWidth > cell.clientWidth) faults.push(`${text}: wider than its cell`);
        if (rect.left < box.left - 0.5 || rect.right > box.right + 0.5) faults.push(`${text}: outside the box`);
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          for (const word of (node.textContent ?? "").matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            if (range.getClientRects().length > 1) faults.push(`${text}: "${word[0]}" split over two lines`);
          }
        }
      }
      return faults;
    });
}

/** Presses Tab until the table's box has focus (at most 40 times); whether it got there. */
async function tabToTable(page: Page): Promise<boolean> {
  const box = await scrollBox(page).elementHandle();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((element) => document.activeElement === element, box)) return true;
  }
  return false;
}

/**
 * Three 6 px strips of the table's box, as PNGs, with the table itself hidden for the
 * moment: what is left is the box's own background, so a strip shows a shade or is plain.
 */
async function edgeStrips(page: Page): Promise<{ left: Buffer; middle: Buffer; right: Buffer }> {
  // (Through the CSSOM: the page's CSP refuses a style element.)
  const hideTable = (hidden: boolean) =>
    scrollBox(page).evaluate((element, hidden) => {
      element.querySelector("table")?.style.setProperty("visibility", hidden ? "hidden" : "visible");
    }, hidden);
  await hideTable(true);
  const box = await scrollBox(page).evaluate((element) => {
    const rect = element.getBoundingClientRect();
    // clientHeight leaves out a horizontal scroll bar, where the system draws one.
    return {
      x: rect.left + window.scrollX,
      y: rect.top + window.scrollY,
      w: element.clientWidth,
      h: element.clientHeight,
    };
  });
  const strip = (x: number) => page.screenshot({ fullPage: true, clip: { x, y: box.y, width: 6, height: box.h } });
  const strips = {
    left: await strip(box.x),
    middle: await strip(box.x + box.w / 2 - 3),
    right: await strip(box.x + box.w - 6),
  };
  await hideTable(false);
  return strips;
}

describe("the Results table on a phone", () => {
  it.each([
    ["390 × 844", PHONE],
    ["640 × 360", LANDSCAPE],
  ])(
    "fits its card at %s: every heading and number whole, no word split, Exposures on screen",
    async (_, viewport) => {
      const { page, errors } = await openResults(viewport);
      expect(await cutCells(page)).toEqual([]);
      const { hidden, scrollable } = await overflow(page);
      expect(hidden).toBeLessThanOrEqual(0);
      expect(scrollable).toBe(0);
      const head = await exposuresHead(page).boundingBox();
      expect(head).not.toBeNull();
      expect((head?.x ?? 0) + (head?.width ?? 0)).toBeLessThanOrEqual(viewport.width);
      // The page itself never scrolls sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      if (viewport === PHONE) {
        await page.screenshot({
          path: join(process.env.UPDATE_SCREENSHOTS === "1" ? "docs" : tmpdir(), "dashboard-phone.png"),
        });
      }
      expect(errors).toEqual([]);
    },
    45_000,
  );

  it("is still a table to a screen reader: its column heads, row heads and cells", async () => {
    const { page } = await openResults(PHONE);
    const table = resultsSection(page).getByRole("table", { name: TABLE_NAME });
    expect(await table.getByRole("columnheader").allTextContents()).toEqual([
      "Variant",
      "Expected share",
      "Enrolled",
      "Observed share",
      "Exposures",
    ]);
    expect(await table.getByRole("rowheader").allTextContents()).toEqual([
      "monthly",
      "annual",
      "annual_discountwinner",
      "Total",
    ]);
    expect(await table.getByRole("row").filter({ hasText: "Total" }).getByRole("cell").allTextContents()).toEqual([
      "100%",
      "150",
      "100%",
      "150",
    ]);
  }, 45_000);

  it("sits in a labelled region that Tab reaches, with a visible focus outline", async () => {
    const { page } = await openResults(PHONE);
    expect(await scrollBox(page).getByRole("table").count()).toBe(1);
    expect(await tabToTable(page)).toBe(true);
    const outline = await scrollBox(page).evaluate((element) => {
      const style = getComputedStyle(element);
      return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
    });
    expect(outline.style).not.toBe("none");
    expect(outline.width).toBeGreaterThanOrEqual(2);
  }, 45_000);
});

describe("the Results table on a 320 px phone", () => {
  it("scrolls inside its region, shaded where columns are hidden, and the arrow keys bring Exposures into view", async () => {
    const { page, errors } = await openResults(NARROW);
    // The fallback is what this test is about: the table must be wider than its box here.
    expect((await overflow(page)).scrollable).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(NARROW.width);

    const exposuresShown = async () => {
      const [head, box] = await Promise.all([exposuresHead(page).boundingBox(), scrollBox(page).boundingBox()]);
      return head !== null && box !== null && head.x + head.width <= box.x + box.width + 0.5;
    };
    expect(await exposuresShown()).toBe(false);

    // A shade on the right while columns are hidden there, none on the left.
    const start = await edgeStrips(page);
    expect(start.left.equals(start.middle)).toBe(true);
    expect(start.right.equals(start.middle)).toBe(false);

    expect(await tabToTable(page)).toBe(true);
    for (let i = 0; i < 20 && !(await exposuresShown()); i++) await page.keyboard.press("ArrowRight");
    expect(await exposuresShown()).toBe(true);
    expect(await scrollBox(page).evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);

    // Scrolled to the end: the shade moves to the left, where columns are now hidden.
    await scrollBox(page).evaluate((element) => {
      element.scrollLeft = element.scrollWidth;
    });
    const end = await edgeStrips(page);
    expect(end.right.equals(end.middle)).toBe(true);
    expect(end.left.equals(end.middle)).toBe(false);
    expect(errors).toEqual([]);
  }, 45_000);
});
