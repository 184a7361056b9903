// Checks any page of the dashboard must pass, whatever it shows (every control named, and
// nothing wider than the screen), and those of a form that refuses what was typed.
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";

/** Every visible button, link, field and list box on the page has an accessible name (as the accessibility tree says). */
export async function expectNamedControls(page: Page): Promise<void> {
  const controls = page.locator("button, a[href], input, select, textarea, [tabindex='0']");
  const unnamed: string[] = [];
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    const snapshot = await control.ariaSnapshot();
    // `- button "Start"`, `- textbox "Actor"`, `- region "Experiments"`: a name in quotes after the role.
    if (!/^- [a-z]+ "[^"]+"/.test(snapshot)) unnamed.push(snapshot.split("\n")[0] ?? snapshot);
  }
  expect(unnamed).toEqual([]);
}

/** The page itself never scrolls sideways (a wide table scrolls inside its own box). */
export async function expectNoSidewaysScroll(page: Page, what = ""): Promise<void> {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, what).toBeLessThanOrEqual(0);
}

/**
 * The API calls the page makes from now on, as `METHOD /path` (the path as sent, still
 * percent-encoded): what a form that refuses its input must leave empty.
 */
export function recordApiCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith("/v1/")) calls.push(`${request.method()} ${url.pathname}`);
  });
  return calls;
}

/** Whether `field` is marked invalid and described by `words` (its field error), and has focus. */
export async function expectFieldError(field: Locator, words: string): Promise<void> {
  const state = await field.evaluate((element) => ({
    invalid: element.getAttribute("aria-invalid"),
    description: (element.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" "),
    focused: element === document.activeElement,
  }));
  expect(state).toEqual({ invalid: "true", description: expect.stringContaining(words), focused: true });
}
