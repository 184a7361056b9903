// Overrides shadow an actor's sticky assignment and never destroy it (a deliberate
// departure from the reference, which overwrites the sticky row).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { experimentBucket, selectVariant } from "../../src/core";
import { ActorObject } from "../../src/edge/objects/actor/actor-object";
import { admin, call, fiftyFifty, ok, problem, publish, runningExperiment, unique } from "./helpers";

type Assigned = { variant: string; is_override: boolean };
type Lookup = Assigned & { assigned_at_secs: number };

const assign = (name: string, actor: string) => ok<Assigned>(call("GET", `/v1/assign/${name}?actor=${actor}`));
const lookup = (name: string, actor: string) => ok<Lookup>(admin("GET", `/experiments/${name}/assignments/${actor}`));

/** An actor that 50/50 bucketing puts in `variant` of `experiment`. */
function actorBucketedTo(experiment: string, variant: string): string {
  for (let i = 0; ; i++) {
    const actor = `user:${i}`;
    if (selectVariant(fiftyFifty.variants, experimentBucket(experiment, actor)) === variant) return actor;
  }
}

const allControl = {
  variants: [
    { name: "control", weight: 100 },
    { name: "treatment", weight: 0 },
  ],
};

describe("overrides shadow sticky assignments", () => {
  it("removing an override gives the actor back the variant it had before (the new-user repro)", async () => {
    const name = unique("shadow");
    await runningExperiment(name);
    const actor = actorBucketedTo(name, "treatment");
    expect(await assign(name, actor)).toMatchObject({ variant: "treatment", is_override: false });
    await ok(admin("PUT", `/experiments/${name}/weights`, allControl));
    await publish();
    expect(await assign(name, actor)).toMatchObject({ variant: "treatment", is_override: false });

    await ok(admin("PUT", `/experiments/${name}/overrides/${actor}`, { variant: "control" }));
    await publish(); // the edge answers a known actor from its cache until the override reaches it
    expect(await assign(name, actor)).toMatchObject({ variant: "control", is_override: true });
    expect(await lookup(name, actor)).toMatchObject({ variant: "control", is_override: true });

    await ok(admin("DELETE", `/experiments/${name}/overrides/${actor}`), 204);
    await publish();
    expect(await assign(name, actor)).toMatchObject({ variant: "treatment", is_override: false });
    expect(await lookup(name, actor)).toMatchObject({ variant: "treatment", is_override: false });
  });

  it("an actor with no assignment before its override is bucketed normally after, and that sticks", async () => {
    const name = unique("shadow-none");
    await runningExperiment(name, allControl);
    await ok(admin("PUT", `/experiments/${name}/overrides/qa:1`, { variant: "treatment" }));
    expect(await assign(name, "qa:1")).toMatchObject({ variant: "treatment", is_override: true });
    await ok(admin("DELETE", `/experiments/${name}/overrides/qa:1`), 204);
    await problem(admin("GET", `/experiments/${name}/assignments/qa:1`), 404, "not_found");
    expect(await assign(name, "qa:1")).toMatchObject({ variant: "control", is_override: false });
    await ok(
      admin("PUT", `/experiments/${name}/weights`, {
        variants: [
          { name: "control", weight: 0 },
          { name: "treatment", weight: 1 },
        ],
      }),
    );
    await publish();
    expect(await assign(name, "qa:1")).toMatchObject({ variant: "control", is_override: false });
  });

  it("an answered override counts for the exclusion group while it exists, and not after", async () => {
    const group = unique("g");
    const [a, b] = [unique("ex-a"), unique("ex-b")];
    await runningExperiment(a, { ...fiftyFifty, exclusion_group: group });
    await runningExperiment(b, { ...fiftyFifty, exclusion_group: group });
    await ok(admin("PUT", `/experiments/${a}/overrides/qa:2`, { variant: "control" }));
    await assign(a, "qa:2");
    await problem(call("GET", `/v1/assign/${b}?actor=qa:2`), 409, "excluded_by_group");
    await ok(admin("DELETE", `/experiments/${a}/overrides/qa:2`), 204);
    expect((await assign(b, "qa:2")).is_override).toBe(false);
  });
});

describe("actor object schema migrations 2 and 3", () => {
  it("turns a v1 override-made row into the override's answered mark, keeps plain sticky rows, and un-marks orphans", async () => {
    const stub = env.ACTORS.get(env.ACTORS.idFromName(unique("legacy-actor")));
    // Rewind this object to schema v1, holding what v1 wrote: `exp_o`'s sticky row was
    // overwritten by the override; `exp_s` has a bucketed one. Then start it afresh.
    const restarted = await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec(`DROP TABLE assignments; DROP TABLE overrides; DELETE FROM _migrations WHERE id IN (2, 3);
        CREATE TABLE assignments (experiment TEXT PRIMARY KEY, variant TEXT NOT NULL,
          is_override INTEGER NOT NULL, assigned_at_secs INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE overrides (experiment TEXT PRIMARY KEY, variant TEXT NOT NULL) WITHOUT ROWID;
        INSERT INTO assignments VALUES ('exp_o', 'b', 1, 111), ('exp_s', 'a', 0, 222), ('exp_gone', 'b', 1, 333);
        INSERT INTO overrides VALUES ('exp_o', 'b');`);
      return new ActorObject(state, env); // migrates once this callback returns, as at a start
    });
    const request = (experiment: string, sibling: string) => ({
      experiment,
      variants: ["a", "b"],
      exclusion_group: "g",
      ineligible: null,
      candidate: "a",
      siblings: [sibling],
    });
    const { migrated, outcomes } = await runInDurableObject(stub, (_, state) => ({
      migrated: {
        assignments: state.storage.sql.exec("SELECT experiment, variant, is_override FROM assignments").toArray(),
        overrides: state.storage.sql.exec("SELECT experiment, variant, set_at_secs, answered FROM overrides").toArray(),
      },
      outcomes: [restarted.assign([request("exp_o", "exp_s")]), restarted.removeOverride("exp_o")],
    }));
    expect(migrated).toEqual({
      assignments: [
        { experiment: "exp_gone", variant: "b", is_override: 0 }, // migration 3: its override is gone
        { experiment: "exp_s", variant: "a", is_override: 0 },
      ],
      overrides: [{ experiment: "exp_o", variant: "b", set_at_secs: 111, answered: 1 }],
    });
    expect(outcomes).toEqual([[{ ok: true, value: { variant: "b", is_override: true, enrolled: false } }], true]);
  });
});
