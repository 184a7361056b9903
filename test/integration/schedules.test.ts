// Schedules: a definition's `schedule` starts and concludes the experiment at its times,
// fired by the registry's alarm (shared with publishing), recorded by the actor
// `schedule`, each part cleared once it fires; manual changes cancel what they make moot.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, fiftyFifty, ok, problem, unique } from "./helpers";

const registry = () => env.REGISTRY.get(env.REGISTRY.idFromName("registry"));
const nowSecs = () => Math.floor(Date.now() / 1000);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Config = { state: string; winner: string | null; schedule: Record<string, unknown> | null };
const get = (name: string) => ok<Config>(admin("GET", `/experiments/${name}`));
const history = async (name: string) =>
  (await ok<{ history: { mutation: string; actor: string | null }[] }>(admin("GET", `/experiments/${name}/history`)))
    .history;
const define = (name: string, schedule: object, more: object = {}) =>
  admin("PUT", `/experiments/${name}`, { ...fiftyFifty, ...more, schedule });

/** Waits until `secs` has passed, then runs the registry's alarm (as it would fire by then). */
async function alarmAt(secs: number): Promise<void> {
  await wait(Math.max(0, secs * 1000 - Date.now()) + 50);
  await runDurableObjectAlarm(registry());
}

describe("an experiment's schedule", () => {
  it("is shown by every read, and refused with /schedule pointers when it cannot be kept", async () => {
    const name = unique("scheduled");
    const at = nowSecs() + 3600;
    const created = await ok<Config>(define(name, { start_at_secs: at }), 201);
    expect(created.schedule).toEqual({ start_at_secs: at, conclude_at_secs: null, winner: null });
    expect((await get(name)).schedule).toEqual(created.schedule);
    expect((await ok<Config>(admin("PUT", `/experiments/${name}`, fiftyFifty))).schedule).toBeNull();
    const cases: [object, string][] = [
      [{ start_at_secs: nowSecs() - 10 }, "/schedule/start_at_secs"],
      [{ start_at_secs: at + 0.5 }, "/schedule/start_at_secs"],
      [{ start_at_secs: at, conclude_at_secs: at - 60, winner: "control" }, "/schedule/conclude_at_secs"],
      [{ conclude_at_secs: at }, "/schedule/winner"],
      [{ conclude_at_secs: at, winner: "ghost" }, "/schedule/winner"],
      [{ start_at_secs: at, winner: "control" }, "/schedule/winner"],
    ];
    for (const [schedule, pointer] of cases) {
      const { body } = await problem(define(name, schedule), 422, "invalid_config");
      expect(body.errors, JSON.stringify(schedule)).toEqual([{ pointer, detail: expect.any(String) }]);
    }
    await problem(define(name, { start_at: at }), 400, "invalid_request");
    expect((await get(name)).schedule).toBeNull(); // nothing refused was stored
  });

  it("arms the registry's alarm for its time, starts and concludes there, by the actor 'schedule'", async () => {
    const name = unique("fires");
    const start = nowSecs() + 2;
    const conclude = start + 2;
    await ok(define(name, { start_at_secs: start, conclude_at_secs: conclude, winner: "treatment" }), 201);
    await runDurableObjectAlarm(registry()); // publishes now; the schedule is not due yet
    expect((await get(name)).state).toBe("draft");
    const armed = await runInDurableObject(registry(), (_, state) => state.storage.getAlarm());
    expect(armed).toBe(start * 1000);

    await alarmAt(start);
    const started = await get(name);
    expect(started.state).toBe("running");
    expect(started.schedule).toEqual({ start_at_secs: null, conclude_at_secs: conclude, winner: "treatment" });
    expect((await history(name))[0]).toMatchObject({ mutation: "state=running", actor: "schedule" });

    await alarmAt(conclude);
    const concluded = await get(name);
    expect(concluded).toMatchObject({ state: "concluded", winner: "treatment", schedule: null });
    expect((await history(name))[0]).toMatchObject({ mutation: "concluded=treatment", actor: "schedule" });
  }, 30_000);

  it("is cancelled where a manual change makes it moot: a start its start, a conclusion or archive all of it", async () => {
    const [a, b, c] = [unique("manual-start"), unique("manual-conclude"), unique("manual-archive")];
    const later = nowSecs() + 3600;
    const both = { start_at_secs: later, conclude_at_secs: later + 60, winner: "control" };
    for (const name of [a, b, c]) await ok(define(name, both), 201);
    expect((await ok<Config>(admin("POST", `/experiments/${a}/start`))).schedule).toEqual({
      ...both,
      start_at_secs: null,
    });
    expect(
      (await ok<Config>(admin("POST", `/experiments/${b}/conclude`, { winner: "treatment" }))).schedule,
    ).toBeNull();
    expect((await ok<Config>(admin("POST", `/experiments/${c}/archive`))).schedule).toBeNull();
  });

  it("skips a start that would overlap a running experiment of its layer, and says why", async () => {
    const layer = unique("sched-layer");
    const [holder, waiting] = [unique("holder"), unique("waiting")];
    await ok(admin("PUT", `/experiments/${holder}`, { ...fiftyFifty, layer: { name: layer, range: [0, 6000] } }), 201);
    await ok(admin("POST", `/experiments/${holder}/start`));
    const start = nowSecs() + 1;
    await ok(define(waiting, { start_at_secs: start }, { layer: { name: layer, range: [5000, 10000] } }), 201);
    await alarmAt(start);
    const config = await get(waiting);
    expect(config).toMatchObject({ state: "draft", schedule: null });
    expect((await history(waiting))[0]).toMatchObject({
      mutation: "schedule_skipped=start (layer_overlap)",
      actor: "schedule",
    });
  }, 30_000);
});
