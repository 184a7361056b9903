// Outcomes over real HTTP, against `wrangler dev` with its local queue: about a thousand
// actors are assigned, track events (with duplicate ids, events from before their
// enrolment, actors under an override, and actors never enrolled), and GET …/results
// then holds exactly the sums this test computes from what it sent.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.mjs";
import { runningFiftyFifty } from "./support/experiment";

const TOKEN = "outcomes-e2e-token";
const EXPERIMENT = "outcomes_e2e";
const ACTORS = 1000;
const OVERRIDDEN = 20;
const STRANGERS = 50;
let dev: WranglerDev;
let persistTo: string;

type Metric = {
  name: string;
  unattributed: number;
  variants: { name: string; n: number; sum: number; sum_squares: number; mean: number | null }[];
  comparisons: { variant: string; baseline: string; decision: string; p_value: number | null }[];
};
type Results = { variants: { name: string; enrolled: number }[]; analysis: { method: string }; metrics: Metric[] };

beforeAll(async () => {
  persistTo = mkdtempSync(join(tmpdir(), "outcomes-e2e-"));
  dev = await startWranglerDev({ token: TOKEN, persistTo, vars: { CONFIG_CACHE_TTL_MS: "0" }, quiet: true });
  await runningFiftyFifty(dev.url, TOKEN, EXPERIMENT, {
    metrics: [
      { name: "purchased", event: "purchase", kind: "conversion" },
      { name: "revenue", event: "purchase", kind: "sum" },
      { name: "errors", kind: "sum", direction: "decrease", role: "guardrail" },
    ],
  });
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(persistTo, { recursive: true, force: true });
}, 30_000);

/** Runs `work` over `items`, `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function track(actor: string, events: object[]): Promise<void> {
  const response = await fetch(`${dev.url}/v1/track`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ actor, events }),
  });
  expect(response.status, await response.text()).toBe(202);
}

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${dev.url}/v1/admin/experiments/${EXPERIMENT}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
  });

describe("a thousand actors' events over HTTP", () => {
  it("add up to exactly the sums of what was sent, attributed only to enrolled, non-overridden actors", async () => {
    const actors = Array.from({ length: ACTORS }, (_, i) => `buyer:${i}`);
    const variantOf = new Map<string, string>();
    await inParallel(actors, 16, async (actor) => {
      const answer = await fetch(`${dev.url}/v1/assign/${EXPERIMENT}?actor=${encodeURIComponent(actor)}`);
      variantOf.set(actor, ((await answer.json()) as { variant: string }).variant);
    });
    const overridden = actors.slice(0, OVERRIDDEN);
    for (const actor of overridden) {
      const set = await admin(`/overrides/${encodeURIComponent(actor)}`, {
        method: "PUT",
        body: JSON.stringify({ variant: "treatment" }),
      });
      expect(set.status).toBe(200);
    }
    const early = Math.floor(Date.now() / 1000) - 600;

    // What each enrolled, non-overridden actor's values should end as, and the events that count nowhere.
    const revenue = new Map<string, number>();
    const errors = new Map<string, number>();
    let unattributedPurchases = 0;
    let unattributedErrors = 0;
    await inParallel(actors, 16, async (actor) => {
      const i = Number(actor.split(":")[1]);
      const events: object[] = [];
      const counts = !overridden.includes(actor);
      if (i % 3 === 0) {
        const value = (i % 50) + 1;
        events.push({ event: "purchase", value, id: `order-${i}` });
        if (counts) revenue.set(actor, value);
        else unattributedPurchases++;
      }
      if (i % 5 === 0) {
        events.push({ event: "purchase", value: 1000, timestamp_secs: early }); // before its enrolment
        unattributedPurchases++;
      }
      if (i % 7 === 0) {
        events.push({ event: "errors", value: 2 }, { event: "errors", value: -1 });
        if (counts) errors.set(actor, 1);
        else unattributedErrors += 2;
      }
      if (events.length === 0) return;
      await track(actor, events);
      // The same order again, in another request: its id counts it once.
      if (i % 3 === 0) await track(actor, [{ event: "purchase", value: (i % 50) + 1, id: `order-${i}` }]);
    });
    await inParallel(
      Array.from({ length: STRANGERS }, (_, i) => `stranger:${i}`),
      8,
      async (actor) => {
        await track(actor, [{ event: "purchase", value: 5 }]);
        unattributedPurchases++;
      },
    );

    const readyAnswer = await fetch(`${dev.url}/v1/assign/${EXPERIMENT}?actor=ready`);
    const readyVariant = ((await readyAnswer.json()) as { variant: string }).variant;
    const expected = (values: Map<string, number>, conversion = false) =>
      ["control", "treatment"].map((name) => {
        const mine = [...values]
          .filter(([actor]) => variantOf.get(actor) === name)
          .map(([, y]) => (conversion ? 1 : y));
        return {
          name,
          // Every enrolment counts in n: overridden actors were enrolled first, and `ready` too.
          n: actors.filter((actor) => variantOf.get(actor) === name).length + (name === readyVariant ? 1 : 0),
          sum: mine.reduce((a, y) => a + y, 0),
          sum_squares: mine.reduce((a, y) => a + y * y, 0),
        };
      });

    // The queue's consumer counts within seconds; poll until the last numbers arrive.
    const want = {
      revenue: expected(revenue),
      purchased: expected(revenue, true),
      errors: expected(errors),
    };
    let results: Results | undefined;
    const pick = (r: Results) =>
      Object.fromEntries(
        r.metrics.map((m) => [
          m.name,
          m.variants.map(({ name, n, sum, sum_squares }) => ({ name, n, sum, sum_squares })),
        ]),
      );
    for (let waited = 0; waited < 60_000; waited += 1000) {
      results = (await (await admin("/results")).json()) as Results;
      if (JSON.stringify(pick(results)) === JSON.stringify(want)) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(pick(results as Results)).toEqual(want);
    const byName = new Map((results as Results).metrics.map((m) => [m.name, m]));
    expect(byName.get("revenue")?.unattributed).toBe(unattributedPurchases);
    expect(byName.get("purchased")?.unattributed).toBe(unattributedPurchases);
    expect(byName.get("errors")?.unattributed).toBe(unattributedErrors);
    // The analysis is computed from these sums: each arm's mean is Σy/n.
    for (const metric of (results as Results).metrics) {
      for (const arm of metric.variants) expect(arm.mean).toBeCloseTo(arm.sum / arm.n, 12);
      expect(metric.comparisons.map((c) => [c.variant, c.baseline])).toEqual([["treatment", "control"]]);
    }
    const fixed = (await (await admin("/results?method=fixed")).json()) as Results;
    expect(fixed.analysis.method).toBe("fixed");
    expect(fixed.metrics.every((m) => m.comparisons.every((c) => typeof c.p_value === "number"))).toBe(true);
  }, 240_000);
});
