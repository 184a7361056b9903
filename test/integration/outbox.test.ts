// Enrolments are counted exactly once even when the isolate that answered loses its
// events: each is kept in its actor's outbox, in the assignment's own transaction, until
// the queue's consumer has counted it or the actor object's alarm has delivered it; the
// stats object counts an enrolment once by its key, whichever way comes first.
import {
  createExecutionContext,
  createMessageBatch,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AssignmentEvents } from "../../src/core";
import type { Env } from "../../src/edge/env";
import { consumeEvents } from "../../src/edge/events/consumer";
import type { EventMessage } from "../../src/edge/events/messages";
import { createApp } from "../../src/edge/http/app";
import { BASE, runningExperiment, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** The Worker with an isolate that loses every event it gathers, as one that stops before its flush. */
function losingApp() {
  const lost: AssignmentEvents[] = [];
  const app = createApp({ exposureSink: { recordEvents: (events) => void lost.push(events) } });
  return {
    lost,
    async assign(experiment: string, actor: string): Promise<string> {
      const ctx = createExecutionContext();
      const response = await app.fetch(new Request(`${BASE}/v1/assign/${experiment}?actor=${actor}`), env, ctx);
      await waitOnExecutionContext(ctx);
      const body = (await response.json()) as { variant: string };
      return body.variant;
    },
  };
}

const actorStub = (actor: string) => env.ACTORS.get(env.ACTORS.idFromName(actor));

/** Moves the actor's outbox rows two minutes into the past, as if the grace period had passed. */
async function age(actor: string): Promise<void> {
  await runInDurableObject(actorStub(actor), (_, state) => {
    state.storage.sql.exec("UPDATE outbox SET assigned_at_secs = assigned_at_secs - 120");
  });
}

const outboxRows = (actor: string) =>
  runInDurableObject(actorStub(actor), (_, state) => state.storage.sql.exec("SELECT * FROM outbox").toArray());

async function enrolledOf(experiment: string): Promise<number> {
  const { counts: rows } = await env.STATS.get(env.STATS.idFromName(experiment)).read();
  return rows.reduce((sum, row) => sum + row.enrolled, 0);
}

let ids = 0;
/** The queue bringing one enrolment event, under a message id (a redelivery brings the same one). */
function deliver(event: EventMessage, id = `outbox-msg-${ids++}`) {
  vi.spyOn(console, "info").mockImplementation(() => undefined);
  return consumeEvents(
    createMessageBatch<unknown>("experiment-events", [{ id, timestamp: 0, attempts: 1, body: { events: [event] } }]),
    env as unknown as Env,
  );
}

const enrolment = (experiment: string, actor: string, variant: string): EventMessage => ({
  kind: "enrolment",
  experiment,
  variant,
  actor,
  revision: 1,
  timestamp_secs: Math.floor(Date.now() / 1000),
});

describe("the enrolment outbox", () => {
  it("keeps each first assignment until counted, and its alarm counts the ones whose events were lost", async () => {
    const name = unique("outbox-lost");
    await runningExperiment(name);
    const app = losingApp();
    const actors = Array.from({ length: 30 }, (_, i) => `lost-${name}-${i}`);
    for (const actor of actors) await app.assign(name, actor);
    expect(app.lost.flatMap((events) => events.enrolments)).toHaveLength(30);
    expect(await enrolledOf(name)).toBe(0);
    for (const actor of actors) expect(await outboxRows(actor)).toHaveLength(1);

    // Before the grace period, the alarm leaves them for the queue.
    await runDurableObjectAlarm(actorStub(actors[0] as string));
    expect(await enrolledOf(name)).toBe(0);

    for (const actor of actors) {
      await age(actor);
      expect(await runDurableObjectAlarm(actorStub(actor))).toBe(true);
    }
    expect(await enrolledOf(name)).toBe(30);
    for (const actor of actors) expect(await outboxRows(actor)).toEqual([]);
  });

  it("counts an enrolment once when its event arrives after the alarm delivered it", async () => {
    const name = unique("outbox-late");
    await runningExperiment(name);
    const app = losingApp();
    const actor = `late-${name}`;
    const variant = await app.assign(name, actor);
    await age(actor);
    await runDurableObjectAlarm(actorStub(actor));
    expect(await enrolledOf(name)).toBe(1);
    await deliver(enrolment(name, actor, variant)); // the queue's copy, late
    expect(await enrolledOf(name)).toBe(1);
  });

  it("counts an enrolment once when the queue brings it first, twice over, and lets the outbox go", async () => {
    const name = unique("outbox-first");
    await runningExperiment(name);
    const app = losingApp();
    const actor = `first-${name}`;
    const variant = await app.assign(name, actor);
    const event = enrolment(name, actor, variant);
    await deliver(event, `first-${name}`);
    expect(await outboxRows(actor)).toEqual([]);
    await deliver(event, `first-${name}`); // a redelivery
    await deliver(event); // and the same enrolment in another message
    expect(await enrolledOf(name)).toBe(1);
  });

  it("counts each enrolment once when the alarm and the queue's event race", async () => {
    const name = unique("outbox-race");
    await runningExperiment(name);
    const app = losingApp();
    const actors = Array.from({ length: 20 }, (_, i) => `race-${name}-${i}`);
    const variants: string[] = [];
    for (const actor of actors) variants.push(await app.assign(name, actor));
    for (const actor of actors) await age(actor);
    await Promise.all(
      actors.flatMap((actor, i) => [
        runDurableObjectAlarm(actorStub(actor)),
        deliver(enrolment(name, actor, variants[i] as string)),
      ]),
    );
    expect(await enrolledOf(name)).toBe(20);
  });

  it("leaves an enrolment to the alarm when the queue's count fails, or its confirmation does", async () => {
    const name = unique("outbox-fail");
    await runningExperiment(name);
    const app = losingApp();
    const [unstored, unconfirmed] = [`unstored-${name}`, `unconfirmed-${name}`];
    const variants = [await app.assign(name, unstored), await app.assign(name, unconfirmed)];
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    vi.spyOn(console, "info").mockImplementation(() => undefined);
    const batch = (actor: string, variant: string) =>
      createMessageBatch<unknown>("experiment-events", [
        { id: `fail-${actor}`, timestamp: 0, attempts: 1, body: { events: [enrolment(name, actor, variant)] } },
      ]);
    // The stats object down: nothing counted, the message comes back, the outbox keeps it.
    const statsDown = {
      idFromName: (n: string) => env.STATS.idFromName(n),
      get: () => ({
        add: async () => {
          throw new Error("object reset");
        },
      }),
    };
    await consumeEvents(batch(unstored, variants[0] as string), { ...env, STATS: statsDown } as unknown as Env);
    // Counted, but the actor's object down when told: the outbox keeps it too.
    const actorsDown = {
      idFromName: (n: string) => env.ACTORS.idFromName(n),
      get: () => ({
        confirmEnrolments: async () => {
          throw new Error("object reset");
        },
      }),
    };
    await consumeEvents(batch(unconfirmed, variants[1] as string), { ...env, ACTORS: actorsDown } as unknown as Env);
    expect(await enrolledOf(name)).toBe(1);
    for (const actor of [unstored, unconfirmed]) {
      expect(await outboxRows(actor)).toHaveLength(1);
      await age(actor);
      await runDurableObjectAlarm(actorStub(actor));
      expect(await outboxRows(actor)).toEqual([]);
    }
    expect(await enrolledOf(name)).toBe(2);
  });

  it("counts the events of assignments older than the outbox as they arrive, once each", async () => {
    const name = unique("outbox-legacy");
    const actor = `legacy-${name}`;
    // An assignment stored a day before the outbox's migration ran in this object.
    await runInDurableObject(actorStub(actor), (_, state) => {
      const yesterday = Math.floor(Date.now() / 1000) - 86_400;
      state.storage.sql.exec(
        "INSERT INTO assignments (experiment, variant, is_override, assigned_at_secs) VALUES (?, 'control', 0, ?)",
        name,
        yesterday,
      );
    });
    await deliver(enrolment(name, actor, "control"));
    await deliver(enrolment(name, actor, "control"));
    expect(await enrolledOf(name)).toBe(1);
  });
});
