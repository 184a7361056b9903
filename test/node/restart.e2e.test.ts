// The counts survive a stop: against `wrangler dev --persist-to`, first assignments
// followed at once by a stop (SIGTERM) lose their events in the isolate's buffer and
// the local queue, and are still counted after a restart, from the actors' outboxes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.mjs";
import { runningFiftyFifty } from "./support/experiment";

const TOKEN = "restart-e2e-token";
const EXPERIMENT = "restart_counts";
const ACTORS = 30;
let persistTo: string;
let dev: WranglerDev | undefined;

const start = () => startWranglerDev({ token: TOKEN, persistTo, vars: { CONFIG_CACHE_TTL_MS: "0" }, quiet: true });

/** The experiment's counted enrolments (GET …/results). */
async function enrolled(): Promise<number> {
  const response = await fetch(`${dev?.url}/v1/admin/experiments/${EXPERIMENT}/results`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const results = (await response.json()) as { variants: { enrolled: number }[] };
  return results.variants.reduce((sum, variant) => sum + variant.enrolled, 0);
}

beforeAll(async () => {
  persistTo = mkdtempSync(join(tmpdir(), "restart-e2e-"));
  dev = await start();
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(persistTo, { recursive: true, force: true });
}, 30_000);

describe("first assignments, then a stop within a second", () => {
  it("are all counted after the restart", async () => {
    await runningFiftyFifty(dev?.url as string, TOKEN, EXPERIMENT);
    const answers = await Promise.all(
      Array.from({ length: ACTORS }, (_, i) => fetch(`${dev?.url}/v1/assign/${EXPERIMENT}?actor=stopped-${i}`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(ACTORS).fill(200));
    await dev?.stop(); // at once: the isolate's window and the local queue go with it

    dev = await start();
    // The outboxes deliver what no queue message claimed, 60 s after each enrolment.
    let counted = 0;
    for (let waited = 0; waited < 120_000 && counted < ACTORS + 1; waited += 2_000) {
      counted = await enrolled();
      if (counted >= ACTORS + 1) break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    // Thirty, and the actor that checked the experiment was published.
    expect(counted).toBe(ACTORS + 1);
  }, 200_000);
});
