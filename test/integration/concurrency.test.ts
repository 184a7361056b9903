import { createExecutionContext, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { SNAPSHOT_KEY } from "../../src/edge/config/snapshot";
import { createApp } from "../../src/edge/http/app";
import { admin, call, ok, publish, runningExperiment, unique } from "./helpers";

async function storedAssignments(actor: string): Promise<{ experiment: string; variant: string }[]> {
  const stub = env.ACTORS.get(env.ACTORS.idFromName(actor));
  return runInDurableObject(stub, (_, state) =>
    state.storage.sql
      .exec<{ experiment: string; variant: string }>("SELECT experiment, variant FROM assignments")
      .toArray(),
  );
}

/** Five running experiments of one new exclusion group. */
async function groupOfFive(prefix: string): Promise<string[]> {
  const group = unique(`${prefix}-group`);
  const names = Array.from({ length: 5 }, (_, i) => unique(`${prefix}-${i}`));
  for (const name of names) {
    await runningExperiment(name, { variants: [{ name: "x", weight: 1 }], exclusion_group: group });
  }
  return names;
}

describe("concurrency in workerd", () => {
  it("50 parallel first assignments of one actor to 5 experiments of a group put it in exactly one", async () => {
    const names = await groupOfFive("race");
    const actor = unique("racer");
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call("GET", `/v1/assign/${names[i % 5]}?actor=${actor}`)),
    );
    const outcomes = await Promise.all(
      responses.map(async (r, i) => ({
        name: names[i % 5],
        status: r.status,
        body: (await r.json()) as { code?: string },
      })),
    );
    const winners = new Set(outcomes.filter((o) => o.status === 200).map((o) => o.name));
    expect(winners.size).toBe(1);
    for (const o of outcomes.filter((x) => x.status !== 200))
      expect([o.status, o.body.code]).toEqual([409, "excluded_by_group"]);
    // Every request for the winning experiment succeeded (sticky); every other one was excluded.
    const [winner] = [...winners];
    expect(outcomes.filter((o) => o.status === 200)).toHaveLength(10);
    expect((await storedAssignments(actor)).map((a) => a.experiment)).toEqual([winner]);
  });

  it("5 parallel first assignments, one per sibling experiment, admit exactly one", async () => {
    const names = await groupOfFive("race5");
    const actor = unique("racer5");
    const statuses = await Promise.all(
      names.map(async (name) => (await call("GET", `/v1/assign/${name}?actor=${actor}`)).status),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(4);
    expect(await storedAssignments(actor)).toHaveLength(1);
  });

  it("50 parallel first assignments of one (experiment, actor) under different weights agree on the first writer's variant", async () => {
    const name = unique("first-writer");
    const actor = unique("writer");
    // Half the requests see an edge config that picks "control", half one that picks
    // "treatment": only first-writer-wins can make them all answer alike.
    const snapshotWith = (control: number) => ({
      version: 1,
      experiments: [
        {
          name,
          description: null,
          state: "running",
          variants: [
            { name: "control", weight: control },
            { name: "treatment", weight: 1 - control },
          ],
          winner: null,
          exclusion_group: null,
          updated_at_secs: 0,
          started_at_secs: 0,
        },
      ],
    });
    const edgeWith = (control: number) => ({
      ...env,
      CONFIG: {
        // The Worker reads the snapshot as text and parses it itself.
        get: async (key: string) => (key === SNAPSHOT_KEY ? JSON.stringify(snapshotWith(control)) : null),
      } as unknown as KVNamespace,
    });
    const app = createApp();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.fetch(
          new Request(`https://edge.test/v1/assign/${name}?actor=${actor}`),
          edgeWith(i % 2),
          createExecutionContext(),
        ),
      ),
    );
    const variants = await Promise.all(responses.map(async (r) => (await ok<{ variant: string }>(r)).variant));
    expect(new Set(variants).size).toBe(1);
    expect(await storedAssignments(actor)).toEqual([{ experiment: name, variant: variants[0] }]);
  });
});

describe("the actor object's memory", () => {
  it("is rebuilt from SQLite after eviction: sticky assignments and overrides survive", async () => {
    const name = unique("evict");
    await runningExperiment(name, {
      variants: [
        { name: "control", weight: 1 },
        { name: "treatment", weight: 1 },
      ],
    });
    const actor = unique("evicted");
    const first = await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=${actor}`));
    // All weight on the other variant: only the stored assignment can keep the first one.
    const other = first.variant === "control" ? "treatment" : "control";
    await ok(
      admin("PUT", `/experiments/${name}/weights`, {
        variants: [
          { name: first.variant, weight: 0 },
          { name: other, weight: 1 },
        ],
      }),
    );
    await publish();
    const qa = unique("evicted-qa");
    await ok(admin("PUT", `/experiments/${name}/overrides/${qa}`, { variant: "treatment" }));
    for (const who of [actor, qa]) await evictDurableObject(env.ACTORS.get(env.ACTORS.idFromName(who)));
    expect((await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=${actor}`))).variant).toBe(
      first.variant,
    );
    expect(await ok(call("GET", `/v1/assign/${name}?actor=${qa}`))).toMatchObject({
      variant: "treatment",
      is_override: true,
    });
  });
});

describe("the actor object's writes", () => {
  it("roll back memory with SQLite when saving fails, and the request is a 503", async () => {
    const name = unique("rollback");
    await runningExperiment(name);
    const actor = unique("rollback-actor");
    const stub = env.ACTORS.get(env.ACTORS.idFromName(actor));
    const exec = (sql: string) => runInDurableObject(stub, (_, state) => void state.storage.sql.exec(sql));
    await exec("CREATE TRIGGER refuse BEFORE INSERT ON assignments BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    // The object logs the failed save with its error: expected here, so it is captured and
    // checked rather than printed among the real failures. It answers the failure rather
    // than throwing it, so no rejected promise crosses RPC.
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    onTestFinished(() => logged.mockRestore());
    const failed = await call("GET", `/v1/assign/${name}?actor=${actor}`);
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(logged.mock.calls).toEqual([
      [
        "actor object could not save its assignments",
        expect.objectContaining({ message: expect.stringContaining("disk full") }),
      ],
    ]);
    expect(await stub.getAssignment(actor, name)).toBeNull(); // memory holds no phantom row
    await exec("DROP TRIGGER refuse");
    const assigned = await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=${actor}`));
    expect(await storedAssignments(actor)).toEqual([{ experiment: name, variant: assigned.variant }]);
  });
});

describe("the registry under concurrent admin requests", () => {
  it("never lets an override and the removal of its variant both succeed", async () => {
    for (let round = 0; round < 10; round++) {
      const name = unique("admin-race");
      await runningExperiment(name, {
        variants: [
          { name: "control", weight: 1 },
          { name: "treatment", weight: 1 },
          { name: "spare", weight: 0 },
        ],
      });
      const [override, removal] = await Promise.all([
        admin("PUT", `/experiments/${name}/overrides/qa:race`, { variant: "spare" }),
        admin("PUT", `/experiments/${name}/weights`, {
          variants: [
            { name: "control", weight: 1 },
            { name: "treatment", weight: 1 },
          ],
        }),
      ]);
      const statuses = [override.status, removal.status].sort();
      // Whichever ran second was refused: the removal as variant_in_use, or the override
      // as naming a variant that no longer exists.
      expect(statuses).toEqual(override.status === 200 ? [200, 409] : [200, 422]);
    }
  });

  it("applies parallel mutations one at a time: every one is in the history, in a valid order", async () => {
    const name = unique("admin-serial");
    await runningExperiment(name);
    const weights = Array.from({ length: 20 }, (_, i) =>
      admin("PUT", `/experiments/${name}/weights`, {
        variants: [
          { name: "control", weight: i },
          { name: "treatment", weight: 20 - i },
        ],
      }),
    );
    const responses = await Promise.all([...weights, admin("POST", `/experiments/${name}/archive`)]);
    const accepted = responses.filter((r) => r.status === 200).length;
    const { history } = await ok<{ history: { mutation: string }[] }>(
      admin("GET", `/experiments/${name}/history?limit=0`),
    );
    const mutations = history.map((r) => r.mutation).reverse();
    expect(mutations.slice(0, 2)).toEqual(["created", "state=running"]);
    const after = mutations.slice(2);
    expect(after).toHaveLength(accepted);
    // Nothing was reweighted after the archive: weights refused then are 409 archived.
    expect(after.slice(after.indexOf("state=archived") + 1)).toEqual([]);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(responses.length - accepted);
  });
});
