import { describe, expect, it } from "vitest";
import { admin, call, fiftyFifty, ok, problem, publish, runningExperiment, unique } from "./helpers";

type Config = {
  name: string;
  state: string;
  winner: string | null;
  variants: unknown[];
  description: string | null;
  exclusion_group: string | null;
  updated_at_secs: number;
};
type History = { history: { experiment: string; mutation: string; actor: string | null; timestamp_secs: number }[] };

describe("admin experiments", () => {
  it("PUT creates a draft (201), then replaces the definition keeping state and winner (200)", async () => {
    const name = unique("define");
    const created = await ok<Config>(
      admin("PUT", `/experiments/${name}`, { ...fiftyFifty, exclusion_group: "checkout" }),
      201,
    );
    expect(created).toMatchObject({
      name,
      state: "draft",
      winner: null,
      description: null,
      exclusion_group: "checkout",
    });
    expect(created.updated_at_secs).toBeGreaterThan(1_700_000_000);
    await ok(admin("POST", `/experiments/${name}/start`));
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "control" }));
    const replaced = await ok<Config>(
      admin("PUT", `/experiments/${name}`, {
        ...fiftyFifty,
        description: "checkout test",
        exclusion_group: "checkout",
      }),
    );
    expect(replaced).toMatchObject({
      state: "concluded",
      winner: "control",
      description: "checkout test",
      exclusion_group: "checkout",
    });
    expect(await ok<Config>(admin("GET", `/experiments/${name}`))).toEqual(replaced);
  });

  it("lists every experiment sorted by name", async () => {
    const [z, a] = [unique("zz-list"), unique("aa-list")];
    await ok(admin("PUT", `/experiments/${z}`, fiftyFifty), 201);
    await ok(admin("PUT", `/experiments/${a}`, fiftyFifty), 201);
    const { experiments } = await ok<{ experiments: Config[] }>(admin("GET", "/experiments"));
    const names = experiments.map((c) => c.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining([a, z]));
  });

  it("walks the lifecycle draft → running → concluded → running → archived", async () => {
    const name = unique("lifecycle");
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    expect((await ok<Config>(admin("POST", `/experiments/${name}/start`))).state).toBe("running");
    expect(await ok<Config>(admin("POST", `/experiments/${name}/conclude`, { winner: "treatment" }))).toMatchObject({
      state: "concluded",
      winner: "treatment",
    });
    expect((await ok<Config>(admin("POST", `/experiments/${name}/start`))).state).toBe("running");
    expect((await ok<Config>(admin("POST", `/experiments/${name}/archive`))).state).toBe("archived");
    await problem(admin("POST", `/experiments/${name}/start`), 409, "archived");
    await problem(admin("POST", `/experiments/${name}/conclude`, { winner: "treatment" }), 409, "archived");
  });

  it("records history with the reference strings and the token name (plus X-Admin-Actor), newest first, with limits", async () => {
    const name = unique("history");
    const by = { "x-admin-actor": "ops@example.com" };
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty, by), 201);
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty));
    await ok(admin("POST", `/experiments/${name}/start`, undefined, by));
    await ok(
      admin(
        "PUT",
        `/experiments/${name}/weights`,
        {
          variants: [
            { name: "control", weight: 1 },
            { name: "treatment", weight: 3 },
          ],
        },
        by,
      ),
    );
    await ok(admin("PUT", `/experiments/${name}/overrides/qa:1`, { variant: "treatment" }, by));
    await ok(admin("DELETE", `/experiments/${name}/overrides/qa:1`, undefined, by), 204);
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "treatment" }, by));
    await ok(admin("POST", `/experiments/${name}/archive`, undefined, by));
    const all = await ok<History>(admin("GET", `/experiments/${name}/history?limit=0`));
    expect(all.history.map((r) => [r.mutation, r.actor])).toEqual([
      ["state=archived", "admin/ops@example.com"],
      ["concluded=treatment", "admin/ops@example.com"],
      ["override_removed=qa:1", "admin/ops@example.com"],
      ["override=qa:1:treatment", "admin/ops@example.com"],
      ["set_weights", "admin/ops@example.com"],
      ["state=running", "admin/ops@example.com"],
      ["updated", "admin"],
      ["created", "admin/ops@example.com"],
    ]);
    expect((await ok<History>(admin("GET", `/experiments/${name}/history?limit=2`))).history).toEqual(
      all.history.slice(0, 2),
    );
    expect((await ok<History>(admin("GET", `/experiments/${name}/history`))).history).toEqual(all.history);
    expect(await ok(admin("GET", "/experiments/never-existed/history"))).toEqual({ history: [] });
  });

  it("defaults the history limit to 100", async () => {
    const name = unique("history-limit");
    await ok(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    for (let i = 0; i < 105; i++) await ok(admin("POST", `/experiments/${name}/start`));
    expect((await ok<History>(admin("GET", `/experiments/${name}/history`))).history).toHaveLength(100);
    expect((await ok<History>(admin("GET", `/experiments/${name}/history?limit=0`))).history).toHaveLength(106);
  });
});

describe("admin overrides and assignments", () => {
  it("sets, lists and removes overrides; removal lets the actor bucket normally", async () => {
    const name = unique("overrides");
    await runningExperiment(name, {
      variants: [
        { name: "control", weight: 1 },
        { name: "treatment", weight: 0 },
      ],
    });
    expect(await ok(admin("PUT", `/experiments/${name}/overrides/qa%3Aalice`, { variant: "treatment" }))).toEqual({
      experiment: name,
      actor: "qa:alice",
      variant: "treatment",
    });
    await ok(admin("PUT", `/experiments/${name}/overrides/qa:bob`, { variant: "control" }));
    expect(await ok(admin("GET", `/experiments/${name}/overrides`))).toEqual({
      overrides: [
        { actor: "qa:alice", variant: "treatment" },
        { actor: "qa:bob", variant: "control" },
      ],
    });
    expect(await ok(call("GET", `/v1/assign/${name}?actor=qa:alice`))).toMatchObject({
      variant: "treatment",
      is_override: true,
    });
    expect(await ok(admin("GET", `/experiments/${name}/assignments/qa:alice`))).toMatchObject({
      experiment: name,
      actor: "qa:alice",
      variant: "treatment",
      is_override: true,
    });
    const removed = await admin("DELETE", `/experiments/${name}/overrides/qa:alice`);
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    await problem(admin("GET", `/experiments/${name}/assignments/qa:alice`), 404, "not_found");
    expect(await ok(call("GET", `/v1/assign/${name}?actor=qa:alice`))).toMatchObject({
      variant: "control",
      is_override: false,
    });
  });

  it("looks up a sticky assignment with its time", async () => {
    const name = unique("lookup");
    await runningExperiment(name);
    const assigned = await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=user:9`));
    const lookup = await ok<Record<string, unknown>>(admin("GET", `/experiments/${name}/assignments/user:9`));
    expect(lookup).toEqual({
      experiment: name,
      actor: "user:9",
      variant: assigned.variant,
      is_override: false,
      assigned_at_secs: expect.any(Number),
    });
  });
});

describe("reference parity over HTTP", () => {
  it("keeps sticky assignments across weight changes and refuses to drop assigned variants", async () => {
    const name = unique("sticky");
    await runningExperiment(name);
    const actors = Array.from({ length: 30 }, (_, i) => `user:${i}`);
    const first = new Map<string, string>();
    for (const actor of actors) {
      first.set(actor, (await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=${actor}`))).variant);
    }
    await ok(
      admin("PUT", `/experiments/${name}/weights`, {
        variants: [
          { name: "control", weight: 0 },
          { name: "treatment", weight: 1 },
        ],
      }),
    );
    await publish();
    for (const actor of actors) {
      expect((await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=${actor}`))).variant).toBe(
        first.get(actor),
      );
    }
    expect((await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=fresh`))).variant).toBe("treatment");
    const { body } = await problem(
      admin("PUT", `/experiments/${name}/weights`, { variants: [{ name: "treatment", weight: 1 }] }),
      409,
      "variant_in_use",
    );
    expect(body.detail).toBe("cannot delete variant 'control' because it has active assignments");
  });

  it("lets a draft drop a variant that never could be assigned", async () => {
    const name = unique("draft-drop");
    await ok(
      admin("PUT", `/experiments/${name}`, {
        variants: [
          { name: "a", weight: 1 },
          { name: "b", weight: 1 },
        ],
      }),
      201,
    );
    await ok(admin("PUT", `/experiments/${name}/weights`, { variants: [{ name: "a", weight: 1 }] }));
    await ok(admin("POST", `/experiments/${name}/start`));
    await ok(
      admin("PUT", `/experiments/${name}/weights`, {
        variants: [
          { name: "a", weight: 1 },
          { name: "c", weight: 0 },
        ],
      }),
    );
    // "c" never had weight while running: removable. "a" did: guarded.
    await ok(admin("PUT", `/experiments/${name}/weights`, { variants: [{ name: "a", weight: 1 }] }));
    await problem(
      admin("PUT", `/experiments/${name}/weights`, { variants: [{ name: "z", weight: 1 }] }),
      409,
      "variant_in_use",
    );
  });

  it("excludes an actor from a sibling experiment of the group, but not across groups", async () => {
    const group = unique("checkout");
    const [a, b, other] = [unique("excl-a"), unique("excl-b"), unique("excl-other")];
    await runningExperiment(a, { variants: [{ name: "v1", weight: 1 }], exclusion_group: group });
    await runningExperiment(b, { variants: [{ name: "v1", weight: 1 }], exclusion_group: group });
    await runningExperiment(other, { variants: [{ name: "v1", weight: 1 }], exclusion_group: unique("elsewhere") });
    await ok(call("GET", `/v1/assign/${a}?actor=user:1`));
    const { body } = await problem(call("GET", `/v1/assign/${b}?actor=user:1`), 409, "excluded_by_group");
    expect(body.detail).toBe(`actor excluded from experiment '${b}' by mutual exclusion group '${group}'`);
    await ok(call("GET", `/v1/assign/${other}?actor=user:1`));
    // An override bypasses exclusion.
    await ok(admin("PUT", `/experiments/${b}/overrides/user:1`, { variant: "v1" }));
    expect(await ok(call("GET", `/v1/assign/${b}?actor=user:1`))).toMatchObject({ variant: "v1", is_override: true });
  });

  it("answers no_variant when every weight is zero", async () => {
    const name = unique("zero");
    await runningExperiment(name, {
      variants: [
        { name: "a", weight: 0 },
        { name: "b", weight: 0 },
      ],
    });
    await problem(call("GET", `/v1/assign/${name}?actor=u`), 422, "no_variant");
  });
});
