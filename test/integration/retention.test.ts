// Retention: an actor's object, by its alarm (set when it writes), lets go of the
// assignments of archived experiments and of concluded experiments older than
// ACTOR_RETENTION_DAYS; with nothing left, it deletes its storage, and comes back empty
// when its actor returns.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, call, ok, problem, publish, runningExperiment, unique } from "./helpers";

const actorStub = (actor: string) => env.ACTORS.get(env.ACTORS.idFromName(actor));
const DAY = 24 * 3600;

/** Runs the actor object's alarm as if its weekly sweep were due. */
async function sweep(actor: string): Promise<void> {
  await runInDurableObject(actorStub(actor), (instance) => {
    Reflect.set(instance, "sweepAt", 0);
  });
  expect(await runDurableObjectAlarm(actorStub(actor))).toBe(true);
}

/** Moves the actor's assignment in `experiment` `days` into the past, in storage and in the object's memory. */
async function age(actor: string, experiment: string, days: number): Promise<void> {
  await runInDurableObject(actorStub(actor), (instance, state) => {
    state.storage.sql.exec(
      "UPDATE assignments SET assigned_at_secs = assigned_at_secs - ? WHERE experiment = ?",
      days * DAY,
      experiment,
    );
    (Reflect.get(instance, "load") as () => void).call(instance);
  });
}

const assigned = (experiment: string, actor: string) => admin("GET", `/experiments/${experiment}/assignments/${actor}`);

describe("retention in an actor's object", () => {
  it("drops archived and old concluded assignments, keeps the rest, and deletes its storage once nothing is left", async () => {
    const [archived, oldConcluded, freshConcluded, running] = [
      unique("ret-archived"),
      unique("ret-old"),
      unique("ret-fresh"),
      unique("ret-running"),
    ];
    for (const name of [archived, oldConcluded, freshConcluded, running]) await runningExperiment(name);
    const actor = unique("kept-person");
    for (const name of [archived, oldConcluded, freshConcluded, running]) {
      await ok(call("GET", `/v1/assign/${name}?actor=${actor}`));
    }
    // Its alarm is armed by the writes.
    expect(await runInDurableObject(actorStub(actor), (_, state) => state.storage.getAlarm())).not.toBeNull();
    await ok(admin("POST", `/experiments/${archived}/archive`));
    for (const name of [oldConcluded, freshConcluded]) {
      await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "control" }));
    }
    await publish();
    await age(actor, oldConcluded, 401); // past the default 400 days
    await age(actor, freshConcluded, 399);

    await sweep(actor);
    await problem(assigned(archived, actor), 404, "not_found");
    await problem(assigned(oldConcluded, actor), 404, "not_found");
    await ok(assigned(freshConcluded, actor));
    await ok(assigned(running, actor));

    await ok(admin("POST", `/experiments/${running}/archive`));
    await ok(admin("POST", `/experiments/${freshConcluded}/archive`));
    await publish();
    await sweep(actor);
    const left = await runInDurableObject(actorStub(actor), async (_, state) => ({
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
        .toArray()
        .map((t) => t.name),
      alarm: await state.storage.getAlarm(),
    }));
    expect(left).toEqual({ tables: [], alarm: null });

    // The actor comes back: an empty object, which stores again.
    const again = unique("ret-again");
    await runningExperiment(again);
    await ok(call("GET", `/v1/assign/${again}?actor=${actor}`));
    await ok(assigned(again, actor));
  });

  it("honours ACTOR_RETENTION_DAYS", async () => {
    const name = unique("ret-days");
    await runningExperiment(name);
    const actor = unique("days-person");
    await ok(call("GET", `/v1/assign/${name}?actor=${actor}`));
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "control" }));
    await publish();
    await age(actor, name, 31);
    await runInDurableObject(actorStub(actor), (instance) => {
      Reflect.set(instance, "env", { ...(Reflect.get(instance, "env") as object), ACTOR_RETENTION_DAYS: "30" });
    });
    await sweep(actor);
    await problem(assigned(name, actor), 404, "not_found");
  });
});
