// Holdouts: a share of actors kept out of every member experiment, decided from the hash
// alone; held-out actors get the baseline with `holdout` in the answer and leave no trace
// in the members; each actor's arm is recorded once and counted, with its metrics, in
// the holdout's own results.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bucketV2BigInt } from "../../scripts/fnv-reference.mjs";
import { holdoutBucket } from "../../src/core";
import type { Env } from "../../src/edge/env";
import { consumeEvents } from "../../src/edge/events/consumer";
import { admin, call, callsOf, fiftyFifty, ok, problem, publish, runningExperiment, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

const referenceBucket = (holdout: string, actor: string) => bucketV2BigInt(`${holdout}/holdout:${actor}`);

const putHoldout = (name: string, body: object) => admin("PUT", `/holdouts/${name}`, body);

type Arm = { name: string; enrolled: number; expected_share: number };
type HoldoutResults = {
  holdout: string;
  coverage: number;
  variants: Arm[];
  srm: { status: string };
  metrics: {
    name: string;
    variants: { name: string; n: number; sum: number }[];
    comparisons: { variant: string; baseline: string }[];
  }[];
};

const actorStub = (actor: string) => env.ACTORS.get(env.ACTORS.idFromName(actor));

/** Runs the actor's outbox now, as its alarm would a minute after the arm was recorded. */
async function deliverOutbox(actor: string): Promise<void> {
  await runInDurableObject(actorStub(actor), (_, state) => {
    state.storage.sql.exec("UPDATE outbox SET assigned_at_secs = assigned_at_secs - 120");
  });
  await runDurableObjectAlarm(actorStub(actor));
}

describe("holdout admin", () => {
  it("creates (201), reads, lists with members, replaces (200) and records history", async () => {
    const name = unique("ho-admin");
    const created = await ok<Record<string, unknown>>(putHoldout(name, { coverage: 1000 }), 201);
    expect(created).toMatchObject({ name, coverage: 1000, description: null, metrics: [] });
    await ok(admin("PUT", `/experiments/${unique("member")}`, { ...fiftyFifty, holdout: name }), 201);
    const replaced = await ok<Record<string, unknown>>(
      putHoldout(name, { coverage: 1500, description: "Q4", metrics: [{ name: "buy", kind: "conversion" }] }),
    );
    expect(replaced).toMatchObject({ coverage: 1500, description: "Q4" });
    expect(replaced.metrics).toEqual([
      { name: "buy", event: "buy", kind: "conversion", direction: "increase", role: "goal" },
    ]);
    expect(await ok(admin("GET", `/holdouts/${name}`))).toEqual(replaced);
    const { holdouts } = await ok<{ holdouts: { name: string; members: string[] }[] }>(admin("GET", "/holdouts"));
    expect(holdouts.find((h) => h.name === name)?.members).toHaveLength(1);
    const { history } = await ok<{ history: { mutation: string; actor: string | null }[] }>(
      admin("GET", `/holdouts/${name}/history`),
    );
    expect(history.map((h) => h.mutation)).toEqual(["coverage=1500", "created"]);
  });

  it.each([
    ["coverage 0", { coverage: 0 }, 422, "/coverage"],
    ["coverage 5001", { coverage: 5001 }, 422, "/coverage"],
    ["a fractional coverage", { coverage: 10.5 }, 422, "/coverage"],
    ["a bad metric", { coverage: 10, metrics: [{ name: "m", kind: "median" }] }, 422, "/metrics/0/kind"],
    ["no coverage", {}, 400, "/coverage"],
    ["an unknown field", { coverage: 10, members: [] }, 400, "/members"],
  ])("refuses %s with its pointer, and stores nothing", async (_, body, status, pointer) => {
    const name = unique("ho-bad");
    const code = status === 422 ? "invalid_config" : "invalid_request";
    const { body: refusal } = await problem(putHoldout(name, body), status, code);
    expect((refusal.errors as { pointer: string }[]).map((e) => e.pointer)).toContain(pointer);
    await problem(admin("GET", `/holdouts/${name}`), 404, "not_found");
  });

  it("refuses an experiment naming no holdout (422 /holdout), and locks what has run", async () => {
    const [name, holdout] = [unique("ho-exp"), unique("ho-lock")];
    const { body } = await problem(
      admin("PUT", `/experiments/${name}`, { ...fiftyFifty, holdout }),
      422,
      "invalid_config",
    );
    expect(body.errors).toEqual([{ pointer: "/holdout", detail: expect.stringContaining(holdout) }]);
    await problem(admin("GET", `/experiments/${name}`), 404, "not_found");

    await ok(putHoldout(holdout, { coverage: 500 }), 201);
    await ok(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, holdout }), 201);
    await ok(putHoldout(holdout, { coverage: 600 })); // no member has run: the coverage may change
    await ok(admin("POST", `/experiments/${name}/start`));
    await problem(putHoldout(holdout, { coverage: 700 }), 409, "holdout_locked");
    await ok(putHoldout(holdout, { coverage: 600, description: "same coverage, new words" }));
    await problem(admin("PUT", `/experiments/${name}`, fiftyFifty), 409, "holdout_locked");
    await problem(admin("DELETE", `/holdouts/${holdout}`), 409, "holdout_in_use");
    await ok(admin("POST", `/experiments/${name}/archive`));
    await ok(admin("DELETE", `/holdouts/${holdout}`), 204);
    await problem(admin("GET", `/holdouts/${holdout}`), 404, "not_found");
    await problem(admin("DELETE", `/holdouts/${holdout}`), 404, "not_found");
    const { history } = await ok<{ history: { mutation: string }[] }>(admin("GET", `/holdouts/${holdout}/history`));
    expect(history.map((h) => h.mutation)).toEqual(["deleted", "updated", "coverage=600", "created"]);
  });
});

describe("assignment under a holdout", () => {
  it("holds out exactly the actors under the hash threshold: baseline, the field, no enrolment, no exposure", async () => {
    const holdout = unique("ho-assign");
    const [member, sibling] = [unique("ho-member"), unique("ho-sibling")];
    const group = unique("ho-group");
    await ok(putHoldout(holdout, { coverage: 2000, metrics: [{ name: "spend", kind: "sum" }] }), 201);
    await runningExperiment(member, {
      variants: [
        { name: "baseline", weight: 0 },
        { name: "new", weight: 100 },
      ],
      holdout,
      exclusion_group: group,
    });
    await runningExperiment(sibling, { ...fiftyFifty, exclusion_group: group });
    const actors = Array.from({ length: 200 }, (_, i) => `ho-actor:${i}`);
    const heldOut = actors.filter((actor) => referenceBucket(holdout, actor) < 2000);
    expect(heldOut.length).toBeGreaterThan(20);
    for (const actor of actors) {
      expect(holdoutBucket(holdout, actor)).toBe(referenceBucket(holdout, actor));
      const response = await call("GET", `/v1/assign/${member}?actor=${actor}`);
      const body = (await response.json()) as Record<string, unknown>;
      if (heldOut.includes(actor)) {
        expect(body).toEqual({ experiment: member, actor, variant: "baseline", is_override: false, holdout });
        expect(response.headers.get("x-exposures")).toBe("0");
        // Not stored: no assignment to look up, and no exclusion-group slot taken.
        await problem(admin("GET", `/experiments/${member}/assignments/${actor}`), 404, "not_found");
        await ok(call("GET", `/v1/assign/${sibling}?actor=${actor}`));
        // A repeat visit is known at the edge: no object call.
        const again = await call("GET", `/v1/assign/${member}?actor=${actor}`);
        expect(await again.json()).toEqual(body);
        expect(callsOf(again).actor).toBe(0);
      } else {
        expect(body).toEqual({ experiment: member, actor, variant: "new", is_override: false });
        expect(response.headers.get("x-exposures")).toBe("1");
      }
    }
    // The batch route's entries and the RPC entrypoint say the same.
    const batch = await ok<{ assignments: Record<string, unknown> }>(
      call("POST", "/v1/assign", { body: { actor: heldOut[0], experiments: [member] } }),
    );
    expect(batch.assignments[member]).toEqual({ variant: "baseline", is_override: false, holdout });
    const viaRpc = await exports.ExperimentsRpc.assignMany(heldOut[1] as string, [member, sibling]);
    expect(viaRpc).toMatchObject({ ok: true, assignments: { [member]: { ok: true, variant: "baseline", holdout } } });
    expect(await exports.ExperimentsRpc.assign(member, heldOut[2] as string)).toEqual({
      ok: true,
      variant: "baseline",
      is_override: false,
      holdout,
    });
  }, 30_000);

  it("counts each actor's arm once, with its metrics, in the holdout's results, and none in the member's", async () => {
    const holdout = unique("ho-results");
    const member = unique("ho-res-member");
    await ok(putHoldout(holdout, { coverage: 3000, metrics: [{ name: "spend", kind: "sum" }] }), 201);
    await runningExperiment(member, { ...fiftyFifty, holdout, metrics: [{ name: "spend", kind: "sum" }] });
    const actors = Array.from({ length: 60 }, (_, i) => `ho-res:${i}`);
    for (const actor of actors) {
      await ok(call("GET", `/v1/assign/${member}?actor=${actor}`));
      await ok(call("GET", `/v1/assign/${member}?actor=${actor}`)); // twice: one arm, once
    }
    for (const actor of actors) await deliverOutbox(actor);
    const heldOut = actors.filter((actor) => referenceBucket(holdout, actor) < 3000);
    // Each actor spends 10; the queue's consumer attributes it to the holdout's arm (and the member's variant).
    vi.spyOn(console, "info").mockImplementation(() => undefined);
    const events = actors.map((actor) => ({
      kind: "track",
      actor,
      event: "spend",
      value: 10,
      id: null,
      timestamp_secs: Math.floor(Date.now() / 1000),
    }));
    const { createMessageBatch } = await import("cloudflare:test");
    await consumeEvents(
      createMessageBatch("experiment-events", [{ id: `ho-${holdout}`, timestamp: 0, attempts: 1, body: { events } }]),
      env as unknown as Env,
    );
    const results = await ok<HoldoutResults>(admin("GET", `/holdouts/${holdout}/results`));
    expect(results.holdout).toBe(holdout);
    expect(results.variants.map((arm) => [arm.name, arm.enrolled, arm.expected_share])).toEqual([
      ["held_out", heldOut.length, 0.3],
      ["exposed", actors.length - heldOut.length, 0.7],
    ]);
    expect(results.metrics[0]?.variants.map((arm) => [arm.name, arm.n, arm.sum])).toEqual([
      ["held_out", heldOut.length, 10 * heldOut.length],
      ["exposed", actors.length - heldOut.length, 10 * (actors.length - heldOut.length)],
    ]);
    expect(results.metrics[0]?.comparisons.map((c) => [c.variant, c.baseline])).toEqual([["exposed", "held_out"]]);
    // The member counts only its exposed actors, enrolments and spend alike (held-out spend is unattributed there).
    await publish();
    const memberResults = await ok<{
      variants: { enrolled: number }[];
      metrics: { unattributed: number; variants: { sum: number }[] }[];
    }>(admin("GET", `/experiments/${member}/results`));
    expect(memberResults.variants.reduce((s, v) => s + v.enrolled, 0)).toBe(actors.length - heldOut.length);
    expect(memberResults.metrics[0]?.variants.reduce((s, v) => s + v.sum, 0)).toBe(
      10 * (actors.length - heldOut.length),
    );
    expect(memberResults.metrics[0]?.unattributed).toBe(heldOut.length);
  }, 30_000);
});
