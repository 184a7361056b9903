// The events pipeline: an isolate's exposures and enrolments leave together, packed in
// messages of up to 100, to the EVENTS queue; the consumer counts them per experiment
// and writes the exposure log lines; GET …/results reads the counts with the
// sample-ratio check.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exposureLine } from "../../src/core";
import type { Env } from "../../src/edge/env";
import { consumeEvents } from "../../src/edge/events/consumer";
import type { EventMessage, EventPack } from "../../src/edge/events/messages";
import { createApp } from "../../src/edge/http/app";
import type { CountedMessage, Enrolment } from "../../src/edge/objects/stats/stats-object";
import { admin, call, fiftyFifty, ok, problem, publish, runningExperiment, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

type Results = {
  variants: { name: string; enrolled: number; exposures: number; expected_share: number }[];
  srm: { status: string; df: number; p_value: number | null };
  daily: { day: string; variants: Record<string, { enrolled: number; exposures: number }> }[];
};

const results = (name: string) => ok<Results>(admin("GET", `/experiments/${name}/results`));
const total = (r: Results, field: "enrolled" | "exposures") => r.variants.reduce((a, v) => a + v[field], 0);

/** Polls the results until `done` holds (the consumer runs after the queue's batch delay). */
async function resultsWhen(name: string, done: (r: Results) => boolean, timeoutMs = 20_000): Promise<Results> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await results(name);
    if (done(r) || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A queue producer that records what it is sent (and can forward to a real one). */
function recordingQueue(forward?: Queue<EventPack>, fail = false) {
  const batches: MessageSendRequest<EventPack>[][] = [];
  const queue = {
    send: async () => {
      throw new Error("the queue sink sends batches");
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<EventPack>>) => {
      if (fail) throw new Error("queue down");
      const batch = [...messages];
      batches.push(batch);
      await forward?.sendBatch(batch);
    },
  } as unknown as Queue<EventPack>;
  return { queue, batches };
}

const event = (experiment: string, kind: "exposure" | "enrolment", variant: string, actor: string): EventMessage =>
  kind === "exposure"
    ? {
        kind,
        experiment,
        variant,
        actor,
        request_id: null,
        is_override: false,
        revision: 1,
        timestamp_secs: 1_795_644_443,
      }
    : { kind, experiment, variant, actor, revision: 1, timestamp_secs: 1_795_644_443 };

let messageIds = 0;
/**
 * A batch of messages with new ids, or with `ids` again as a redelivery brings them:
 * each a pack of events, or a single event as versions before packing sent them.
 */
function batchOf(bodies: (EventPack | EventMessage)[], ids = bodies.map(() => `m${messageIds++}`)) {
  return createMessageBatch<unknown>(
    "experiment-events",
    bodies.map((body, i) => ({ id: ids[i] as string, timestamp: 0, attempts: 1, body })),
  );
}

/** Events in packs of `size`, as an isolate's flushes send them. */
const packs = (events: EventMessage[], size = 100): EventPack[] =>
  Array.from({ length: Math.ceil(events.length / size) }, (_, i) => ({
    events: events.slice(i * size, (i + 1) * size),
  }));

describe("the events queue", () => {
  it("sends a request's exposures and enrolments as one message after the window, and the request logs nothing", async () => {
    const names = [unique("queue-a"), unique("queue-b"), unique("queue-c")];
    for (const name of names) await runningExperiment(name);
    const { queue, batches } = recordingQueue(env.EVENTS); // the real local queue must accept it too
    const logs = vi.spyOn(console, "info");
    const ctx = createExecutionContext();
    const response = await createApp().fetch(
      new Request("https://edge.test/v1/assign", {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "req-q" },
        body: JSON.stringify({ actor: "queue-user", experiments: [...names, "ghost"] }),
      }),
      { ...env, EVENTS: queue, EVENTS_FLUSH_MS: "300" },
      ctx,
    );
    expect(response.status).toBe(200);
    expect(batches).toEqual([]); // not before the window closes
    await waitOnExecutionContext(ctx); // the request's waitUntil holds the send
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((m) => m.contentType)).toEqual(["json"]);
    const events = batches[0]?.[0]?.body.events.map((e) => [e.kind, "experiment" in e ? e.experiment : null, e.actor]);
    expect(events).toEqual([
      ...names.map((name) => ["exposure", name, "queue-user"]),
      ...names.map((name) => ["enrolment", name, "queue-user"]),
    ]);
    expect(logs.mock.calls.filter(([line]) => String(line).includes("experiment_exposure"))).toEqual([]);
  });

  it("gathers the events of an isolate's concurrent requests into one message", async () => {
    const name = unique("queue-window");
    await runningExperiment(name);
    const { queue, batches } = recordingQueue(env.EVENTS);
    vi.spyOn(console, "info").mockImplementation(() => undefined); // the consumer's exposure lines
    const app = createApp();
    const contexts = Array.from({ length: 20 }, () => createExecutionContext());
    const responses = await Promise.all(
      contexts.map((ctx, i) =>
        app.fetch(
          new Request(`https://edge.test/v1/assign/${name}?actor=window:${i}`),
          // A window long enough for all 20 first assignments on a busy machine.
          { ...env, EVENTS: queue, EVENTS_FLUSH_MS: "2000" },
          ctx,
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(contexts.map(() => 200));
    await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(1);
    const events = batches[0]?.[0]?.body.events ?? [];
    expect(events.filter((e) => e.kind === "exposure")).toHaveLength(20);
    expect(new Set(events.filter((e) => e.kind === "enrolment").map((e) => e.actor)).size).toBe(20);
    // And the real queue's consumer counts them.
    const counted = await resultsWhen(name, (r) => total(r, "enrolled") >= 20);
    expect([total(counted, "enrolled"), total(counted, "exposures")]).toEqual([20, 20]);
  });

  it("sends a window as soon as it holds 100 events, without waiting for its timer", async () => {
    const names = Array.from({ length: 50 }, (_, i) => unique(`queue-full-${i}`));
    for (const name of names) await runningExperiment(name);
    const { queue, batches } = recordingQueue();
    const ctx = createExecutionContext();
    const request = new Request("https://edge.test/v1/assign", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ actor: "full", experiments: names }),
    });
    // A 10 s window: only the 100 events (50 exposures, 50 enrolments) can send it sooner.
    expect((await createApp().fetch(request, { ...env, EVENTS: queue, EVENTS_FLUSH_MS: "10000" }, ctx)).status).toBe(
      200,
    );
    const deadline = Date.now() + 3000;
    while (batches.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(batches.map((batch) => batch.map((m) => m.body.events.length))).toEqual([[100]]);
    await waitOnExecutionContext(ctx);
  });

  it("writes the events to the log when the queue refuses them, so none is lost silently", async () => {
    const name = unique("queue-down");
    await runningExperiment(name);
    const { queue } = recordingQueue(undefined, true);
    const logs = vi.spyOn(console, "log").mockImplementation(() => undefined);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const ctx = createExecutionContext();
    const request = new Request(`https://edge.test/v1/assign/${name}?actor=lost`);
    expect((await createApp().fetch(request, { ...env, EVENTS: queue }, ctx)).status).toBe(200);
    await waitOnExecutionContext(ctx);
    const lines = logs.mock.calls.map(([line]) => JSON.parse(String(line)) as { kind: string; experiment: string });
    expect(lines.map((l) => [l.kind, l.experiment])).toEqual([
      ["exposure", name],
      ["enrolment", name],
    ]);
  });

  it("counts 2,000 actors exactly: enrolled equals new sticky assignments, exposures equal running assignments", async () => {
    const name = unique("count");
    await runningExperiment(name);
    vi.spyOn(console, "info").mockImplementation(() => undefined); // the consumer's exposure lines
    const actors = Array.from({ length: 2000 }, (_, i) => `count:${i}`);
    let assigned = 0;
    for (let i = 0; i < actors.length; i += 100) {
      const chunk = actors.slice(i, i + 100);
      const answers = await Promise.all(chunk.map((a) => call("GET", `/v1/assign/${name}?actor=${a}`)));
      assigned += answers.filter((r) => r.status === 200).length;
    }
    // Repeat visits: exposures, not enrolments.
    for (const actor of actors.slice(0, 300))
      assigned += (await call("GET", `/v1/assign/${name}?actor=${actor}`)).ok ? 1 : 0;
    const counted = await resultsWhen(name, (r) => total(r, "exposures") >= assigned);
    expect(total(counted, "enrolled")).toBe(2000);
    expect(total(counted, "exposures")).toBe(assigned);
    expect(assigned).toBe(2300);
    expect(counted.srm.status).toBe("ok");
    expect(counted.daily).toHaveLength(1);
  }, 60_000);

  it("flags a mismatch when the store drops one variant's enrolments (a test double)", async () => {
    const name = unique("srm");
    await runningExperiment(name);
    const events: EventMessage[] = [];
    for (let i = 0; i < 400; i++) events.push(event(name, "enrolment", i % 2 === 0 ? "control" : "treatment", `a${i}`));
    // A stats namespace whose addAndRead() (a running experiment is counted and read back in
    // one call) loses most of the treatment rows, as a broken pipeline would.
    const lossy = {
      idFromName: (n: string) => env.STATS.idFromName(n),
      get: (id: DurableObjectId) => {
        const stub = env.STATS.get(id);
        // Loses two thirds of the treatment events, as a broken pipeline would.
        return {
          addAndRead: (messages: CountedMessage[], enrolments: Enrolment[] = []) =>
            stub.addAndRead(
              messages,
              enrolments.filter((e, i) => e.variant !== "treatment" || i % 3 === 0),
            ),
        };
      },
    };
    vi.spyOn(console, "info").mockImplementation(() => undefined);
    await consumeEvents(batchOf(events), { ...env, STATS: lossy } as unknown as Env);
    const r = await results(name);
    expect(r.srm).toMatchObject({ status: "mismatch", df: 1 });
    expect(r.srm.p_value).toBeLessThan(0.001);
  });

  it("retries a message while one of its experiments fails to count, and counts each experiment once", async () => {
    const [good, bad, other] = [unique("retry-good"), unique("retry-bad"), unique("retry-other")];
    for (const name of [good, bad, other]) await runningExperiment(name);
    const mixed = { events: [event(good, "enrolment", "control", "x"), event(bad, "enrolment", "control", "y")] };
    const clean = { events: [event(other, "enrolment", "treatment", "z")] };
    const failing = {
      idFromName: (n: string) => env.STATS.idFromName(n),
      get: (id: DurableObjectId) =>
        id.equals(env.STATS.idFromName(bad))
          ? {
              addAndRead: async () => {
                throw new Error("object reset");
              },
            }
          : env.STATS.get(id),
    };
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "info").mockImplementation(() => undefined);
    const first = batchOf([mixed, clean], ["retry-1", "retry-2"]);
    const ctx = createExecutionContext();
    await consumeEvents(first, { ...env, STATS: failing } as unknown as Env);
    const outcome = await getQueueResult(first, ctx);
    expect(outcome.explicitAcks).toEqual(["retry-2"]);
    expect(outcome.retryMessages.map((m) => m.msgId)).toEqual(["retry-1"]);
    // The redelivery of the retried message, with the object back: `good` counted it already.
    await consumeEvents(batchOf([mixed], ["retry-1"]), env);
    expect(total(await results(good), "enrolled")).toBe(1);
    expect(total(await results(bad), "enrolled")).toBe(1);
    expect(total(await results(other), "enrolled")).toBe(1);
  });

  it("counts a message delivered twice once, by its id, a pack or a single event from before packing", async () => {
    const name = unique("redelivered");
    vi.spyOn(console, "info").mockImplementation(() => undefined);
    const pack = { events: [event(name, "enrolment", "control", "a"), event(name, "exposure", "control", "a")] };
    const legacy = event(name, "exposure", "treatment", "b");
    const ids = ["again-1", "again-2"];
    await consumeEvents(batchOf([pack, legacy], ids), env);
    await consumeEvents(batchOf([pack, legacy], ids), env); // as after a lost acknowledgement
    const { counts: rows } = await env.STATS.get(env.STATS.idFromName(name)).read();
    expect(rows.map((r) => [r.variant, r.enrolled, r.exposures])).toEqual([
      ["control", 1, 1],
      ["treatment", 0, 1],
    ]);
  });

  it("drops an event whose timestamp no date can hold, and still counts the others of its message", async () => {
    const name = unique("bad-time");
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "info").mockImplementation(() => undefined);
    const bad = { ...event(name, "enrolment", "control", "x"), timestamp_secs: 1e20 };
    await consumeEvents(batchOf([{ events: [bad, event(name, "enrolment", "treatment", "y")] }]), env);
    const { counts: rows } = await env.STATS.get(env.STATS.idFromName(name)).read();
    expect(rows.map((r) => [r.variant, r.enrolled])).toEqual([["treatment", 1]]);
  });

  it("writes each exposure's log line in the documented format, unless EXPOSURE_LOG=off", async () => {
    const name = unique("lines");
    const logs = vi.spyOn(console, "info").mockImplementation(() => undefined);
    const exposure = event(name, "exposure", "control", "u1") as Extract<EventMessage, { kind: "exposure" }>;
    await consumeEvents(batchOf([{ events: [exposure, event(name, "enrolment", "control", "u1")] }]), env);
    expect(logs.mock.calls.map(([line]) => line)).toEqual([exposureLine(exposure)]);
    expect(JSON.parse(String(logs.mock.calls[0]?.[0]))).toEqual({
      event: "experiment_exposure",
      experiment: name,
      variant: "control",
      actor: "u1",
      request_id: null,
      is_override: false,
      timestamp_secs: 1_795_644_443,
    });
    logs.mockClear();
    await consumeEvents(batchOf([{ events: [exposure] }]), { ...env, EXPOSURE_LOG: "off" });
    expect(logs).not.toHaveBeenCalled();
  });

  it("drops (and logs) a message that holds no event instead of retrying it forever", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const batch = createMessageBatch<unknown>("experiment-events", [
      { id: "junk", timestamp: 0, attempts: 1, body: { kind: "nonsense" } },
    ]);
    const ctx = createExecutionContext();
    await consumeEvents(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["junk"]);
    expect(errors).toHaveBeenCalled();
  });
});

describe("GET …/results", () => {
  it("is 404 for an unknown experiment", async () => {
    await problem(admin("GET", "/experiments/ghost-results/results"), 404, "not_found");
  });

  it("holds enrolments against the weights of the revision they happened under", async () => {
    const name = unique("revisions");
    await runningExperiment(name);
    const r1 = (variant: string, n: number) =>
      Array.from({ length: n }, (_, i) => event(name, "enrolment", variant, `${variant}-${i}`));
    vi.spyOn(console, "info").mockImplementation(() => undefined);
    await consumeEvents(batchOf(packs([...r1("control", 100), ...r1("treatment", 100)])), env);
    await ok(
      admin("PUT", `/experiments/${name}/weights`, {
        variants: [
          { name: "control", weight: 90 },
          { name: "treatment", weight: 10 },
        ],
      }),
    );
    const config = await ok<{ revision: number }>(admin("GET", `/experiments/${name}`));
    expect(config.revision).toBe(2);
    const r2 = Array.from({ length: 1000 }, (_, i) => ({
      ...event(name, "enrolment", i < 900 ? "control" : "treatment", `r2-${i}`),
      revision: 2,
    }));
    await consumeEvents(batchOf(packs(r2)), env);
    const r = await results(name);
    expect(r.variants.map((v) => [v.name, v.enrolled])).toEqual([
      ["control", 1000],
      ["treatment", 200],
    ]);
    expect(r.srm.status).toBe("ok");
    expect(r.variants[0]?.expected_share).toBeCloseTo(1000 / 1200, 9);
  }, 60_000); // 1,200 actors, each claimed from its own outbox object
});

describe("hash_version", () => {
  it("defaults to 1, can be 2 on a new draft, and is locked once the experiment has run", async () => {
    const name = unique("hash");
    const created = await ok<{ hash_version: number }>(admin("PUT", `/experiments/${name}`, fiftyFifty), 201);
    expect(created.hash_version).toBe(1);
    expect(await ok(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, hash_version: 2 }))).toMatchObject({
      hash_version: 2,
    });
    await ok(admin("POST", `/experiments/${name}/start`));
    await publish();
    const { body } = await problem(admin("PUT", `/experiments/${name}`, fiftyFifty), 409, "hash_locked");
    expect(body.detail).toContain("draft that never ran");
    await problem(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, hash_version: 3 }), 422, "invalid_config");
    await problem(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, hash_version: "2" }), 400, "invalid_request");
    expect(await ok(admin("GET", `/experiments/${name}`))).toMatchObject({ hash_version: 2 });
  });

  it("2 buckets with bucket_v2 over HTTP", async () => {
    const name = unique("hash2");
    const { experimentBucketV2, selectVariant } = await import("../../src/core");
    await ok(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, hash_version: 2 }), 201);
    await ok(admin("POST", `/experiments/${name}/start`));
    await publish();
    for (const actor of ["user:1", "user:2", "user:3", "user:4"]) {
      const { variant } = await ok<{ variant: string }>(call("GET", `/v1/assign/${name}?actor=${actor}`));
      expect(variant).toBe(selectVariant(fiftyFifty.variants, experimentBucketV2(name, actor)));
    }
  });
});
