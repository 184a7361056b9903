// Guardrail auto-stop: an experiment with `auto_stop` on is concluded on its baseline as
// soon as the counts of a batch make a guardrail's sequential decision `worse`, the
// history naming the metric and the variant; with it off, nothing stops.
import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/edge/env";
import { consumeEvents } from "../../src/edge/events/consumer";
import type { EventMessage } from "../../src/edge/events/messages";
import { admin, call, countingNamespace, fiftyFifty, ok, publish, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

const nowSecs = () => Math.floor(Date.now() / 1000);
const METRICS = [
  { name: "bought", kind: "conversion" },
  { name: "errors", kind: "sum", direction: "decrease", role: "guardrail" },
];

/**
 * Starts `name` with the metrics, assigns 150 actors, and has the queue bring their
 * enrolments and errors in one batch: about 1 error an actor in control, 4 in treatment.
 */
async function runWithErrors(name: string, autoStop: boolean, calls: string[]) {
  await ok(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, metrics: METRICS, auto_stop: autoStop }), 201);
  await ok(admin("POST", `/experiments/${name}/start`));
  await publish();
  const events: EventMessage[] = [];
  for (let i = 0; i < 150; i++) {
    const actor = `${name}:${i}`;
    const { variant } = await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=${actor}`));
    const at = nowSecs();
    events.push({ kind: "enrolment", experiment: name, variant, actor, revision: 1, timestamp_secs: at });
    const errors = (i % 3) + (variant === "treatment" ? 3 : 0);
    if (errors > 0) events.push({ kind: "track", actor, event: "errors", value: errors, id: null, timestamp_secs: at });
  }
  vi.spyOn(console, "info").mockImplementation(() => undefined);
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
  const messages = Array.from({ length: Math.ceil(events.length / 100) }, (_, i) => ({
    id: `${name}-m${i}`,
    timestamp: 0,
    attempts: 1,
    body: { events: events.slice(i * 100, (i + 1) * 100) },
  }));
  const environment = { ...env, STATS: countingNamespace(env.STATS, calls) } as unknown as Env;
  await consumeEvents(createMessageBatch<unknown>("experiment-events", messages), environment);
}

describe("guardrail auto-stop", () => {
  it("concludes on the baseline when a guardrail is worse, naming the metric and variant", async () => {
    const name = unique("auto-stop");
    const calls: string[] = [];
    await runWithErrors(name, true, calls);
    expect(calls).toEqual(["addAndRead"]); // still one stats call for the experiment's batch
    const config = await ok<{ state: string; winner: string }>(admin("GET", `/experiments/${name}`));
    expect(config).toMatchObject({ state: "concluded", winner: "control" });
    const { history } = await ok<{ history: { mutation: string; actor: string }[] }>(
      admin("GET", `/experiments/${name}/history`),
    );
    expect(history[0]).toEqual({
      experiment: name,
      mutation: "concluded=control (guardrail errors: treatment worse)",
      actor: "auto_stop",
      timestamp_secs: expect.any(Number),
    });
    const results = await ok<{ metrics: { name: string; comparisons: { decision: string }[] }[] }>(
      admin("GET", `/experiments/${name}/results`),
    );
    expect(results.metrics.find((m) => m.name === "errors")?.comparisons[0]?.decision).toBe("worse");
  }, 30_000); // 150 assignments: beside other suites, more than the default 5 s

  it("leaves an experiment without auto_stop running, whatever its guardrails say", async () => {
    const name = unique("no-auto-stop");
    const calls: string[] = [];
    await runWithErrors(name, false, calls);
    expect(calls).toEqual(["addAndRead"]); // read too, for the sample-ratio check
    expect((await ok<{ state: string }>(admin("GET", `/experiments/${name}`))).state).toBe("running");
  }, 30_000);

  it("is shown by every read, off by default, and stored only when on", async () => {
    const [on, off] = [unique("stop-on"), unique("stop-off")];
    expect(
      (await ok<{ auto_stop: boolean }>(admin("PUT", `/experiments/${on}`, { ...fiftyFifty, auto_stop: true }), 201))
        .auto_stop,
    ).toBe(true);
    expect((await ok<{ auto_stop: boolean }>(admin("PUT", `/experiments/${off}`, fiftyFifty), 201)).auto_stop).toBe(
      false,
    );
    await publish();
    const snapshot = JSON.parse((await env.CONFIG.get("config-snapshot:v1")) as string);
    const stored = (name: string) => snapshot.experiments.find((e: { name: string }) => e.name === name);
    expect(stored(on).auto_stop).toBe(true);
    expect("auto_stop" in stored(off)).toBe(false);
  });
});
