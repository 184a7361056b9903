// Tracked events: POST /v1/track checks a request whole and queues it with no Durable
// Object call; the queue's consumer attributes each actor's events through its actor's
// object (one call per actor per batch) and adds the deltas to each experiment's stats
// object (one call per experiment per batch), exactly once however often a message is
// delivered; GET …/results reads the sums back as each metric's analysis.
import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/edge/env";
import { consumeEvents } from "../../src/edge/events/consumer";
import type { EventMessage, EventPack } from "../../src/edge/events/messages";
import { createApp } from "../../src/edge/http/app";
import {
  admin,
  call,
  callsOf,
  countingNamespace,
  fiftyFifty,
  ok,
  problem,
  publish,
  runningExperiment,
  unique,
} from "./helpers";

afterEach(() => vi.restoreAllMocks());

const METRICS = [
  { name: "purchased", event: "purchase", kind: "conversion" },
  { name: "revenue", event: "purchase", kind: "sum" },
  { name: "errors", kind: "sum", direction: "decrease", role: "guardrail" },
];

type MetricResults = {
  name: string;
  unattributed: number;
  variants: { name: string; n: number; sum: number; sum_squares: number; mean: number | null }[];
  comparisons: { variant: string; decision: string; p_value: number | null }[];
};
type Results = {
  variants: { name: string; enrolled: number }[];
  analysis: { method: string; alpha: number; tuning: number | null; trustworthy: boolean };
  metrics: MetricResults[];
};

const results = (name: string, query = "") => ok<Results>(admin("GET", `/experiments/${name}/results${query}`));

/** The results once the queue's consumer has counted `enrolled` enrolments (it runs after the batch delay). */
async function resultsEnrolled(name: string, enrolled: number): Promise<Results> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await results(name);
    if (r.variants.reduce((s, v) => s + v.enrolled, 0) >= enrolled || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
const metric = (r: Results, name: string) => r.metrics.find((m) => m.name === name) as MetricResults;
const sums = (m: MetricResults) => Object.fromEntries(m.variants.map((v) => [v.name, [v.n, v.sum, v.sum_squares]]));
const nowSecs = () => Math.floor(Date.now() / 1000);

/** A queue producer that records what it is sent. */
function recordingQueue() {
  const batches: MessageSendRequest<EventPack>[][] = [];
  const queue = {
    sendBatch: async (messages: Iterable<MessageSendRequest<EventPack>>) => void batches.push([...messages]),
  } as unknown as Queue<EventPack>;
  return { queue, batches, events: () => batches.flat().flatMap((m) => m.body.events) };
}

/** POST /v1/track through an app whose queue records; resolves with the answer and what was queued. */
async function track(body: unknown, init: { headers?: Record<string, string>; query?: string } = {}) {
  const { queue, events } = recordingQueue();
  const ctx = createExecutionContext();
  const response = await createApp().fetch(
    new Request(`https://edge.test/v1/track${init.query ?? ""}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...init.headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    { ...env, EVENTS: queue, EVENTS_FLUSH_MS: "0", DEBUG_HEADERS: "1" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { response, queued: events() };
}

/** Assigns `actor` through the Worker; returns its variant. */
async function assign(experiment: string, actor: string): Promise<string> {
  return (await ok<{ variant: string }>(call("GET", `/v1/assign/${experiment}?actor=${actor}`))).variant;
}

let ids = 0;
/** The queue bringing `bodies` as messages (with `messageIds`, a redelivery of earlier ones). */
function deliver(bodies: EventPack[], environment: Env = env as unknown as Env, messageIds?: string[]) {
  vi.spyOn(console, "info").mockImplementation(() => undefined);
  const messages = bodies.map((body, i) => ({
    id: messageIds?.[i] ?? `track-msg-${ids++}`,
    timestamp: 0,
    attempts: 1,
    body,
  }));
  const batch = createMessageBatch<unknown>("experiment-events", messages);
  return { batch, done: consumeEvents(batch, environment) };
}

const tracked = (actor: string, event: string, fields: Partial<EventMessage> = {}): EventMessage =>
  ({ kind: "track", actor, event, value: 1, id: null, timestamp_secs: nowSecs(), ...fields }) as EventMessage;

describe("POST /v1/track", () => {
  it("answers 202 with the count once queued, with no Durable Object call, and fills value, id and time", async () => {
    const before = nowSecs();
    const { response, queued } = await track({
      actor: "track-user",
      events: [{ event: "purchase", value: 42.5, id: "order-1", timestamp_secs: before - 60 }, { event: "signup" }],
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2 });
    expect(callsOf(response)).toEqual({ kv: 0, actor: 0, registry: 0 });
    expect(queued[0]).toEqual(
      tracked("track-user", "purchase", { value: 42.5, id: "order-1", timestamp_secs: before - 60 }),
    );
    expect(queued[1]).toMatchObject({ kind: "track", actor: "track-user", event: "signup", value: 1, id: null });
    const at = (queued[1] as { timestamp_secs: number }).timestamp_secs;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(nowSecs());
  });

  it("takes the actor from X-Actor-Id, else from the exp_actor cookie, and refuses a request with none", async () => {
    const header = await track({ events: [{ event: "e" }] }, { headers: { "x-actor-id": "header-user" } });
    expect(header.queued.map((e) => e.actor)).toEqual(["header-user"]);
    const cookie = await track({ events: [{ event: "e" }] }, { headers: { cookie: "exp_actor=anon%3Acookie-user" } });
    expect(cookie.queued.map((e) => e.actor)).toEqual(["anon:cookie-user"]);
    const { response, queued } = await track({ events: [{ event: "e" }] });
    const { body } = await problem(response, 400, "invalid_request");
    expect(body.errors).toEqual([{ pointer: "/actor", detail: expect.stringContaining("required") }]);
    expect(response.headers.get("set-cookie")).toBeNull(); // no new anonymous id: it has nothing to count for
    expect(queued).toEqual([]);
  });

  it.each([
    ["no events", { events: [] }, "/events"],
    ["101 events", { events: Array.from({ length: 101 }, () => ({ event: "e" })) }, "/events"],
    ["a name with ':'", { events: [{ event: "a:b" }] }, "/events/0/event"],
    ["a value as text", { events: [{ event: "e", value: "1" }] }, "/events/0/value"],
    ["a value beyond 1e12", { events: [{ event: "e", value: 2e12 }] }, "/events/0/value"],
    ["an empty id", { events: [{ event: "e", id: "" }] }, "/events/0/id"],
    ["an id of 129 characters", { events: [{ event: "e", id: "x".repeat(129) }] }, "/events/0/id"],
    ["an id with a control character", { events: [{ event: "e", id: "a\u0007b" }] }, "/events/0/id"],
    [
      "a time 8 days ago",
      { events: [{ event: "e", timestamp_secs: nowSecs() - 8 * 86400 }] },
      "/events/0/timestamp_secs",
    ],
    [
      "a time 10 minutes ahead",
      { events: [{ event: "e", timestamp_secs: nowSecs() + 600 }] },
      "/events/0/timestamp_secs",
    ],
    ["a fractional time", { events: [{ event: "e", timestamp_secs: nowSecs() - 0.5 }] }, "/events/0/timestamp_secs"],
    ["an unknown field", { events: [{ event: "e", amount: 3 }] }, "/events/0/amount"],
  ])("refuses %s whole (400 with the field's pointer), queueing nothing", async (_, events, pointer) => {
    // A good event first: one bad event refuses the whole request.
    const list: object[] = events.events.length === 1 ? [{ event: "fine" }, ...events.events] : events.events;
    const body = { actor: "bad-user", events: list };
    const expected = pointer.replace("/events/0", "/events/1");
    const { response, queued } = await track(body);
    const problemBody = (await problem(response, 400, "invalid_request")).body;
    expect((problemBody.errors as { pointer: string }[]).map((e) => e.pointer)).toContain(expected);
    expect(queued).toEqual([]);
  });

  it("refuses the actor in the query, as the batch route does", async () => {
    const { response, queued } = await track({ events: [{ event: "e" }] }, { query: "?actor=someone" });
    await problem(response, 400, "invalid_request");
    expect(queued).toEqual([]);
  });
});

describe("attributing tracked events", () => {
  it("counts each event once for enrolled, non-overridden actors after their enrolment, with exact sums", async () => {
    const name = unique("attribution");
    await runningExperiment(name, { ...fiftyFifty, metrics: METRICS });
    const actors = Array.from({ length: 8 }, (_, i) => `attr-${name}-${i}`);
    const variants = new Map<string, string>();
    for (const actor of actors) variants.set(actor, await assign(name, actor));
    const [a, b, c, d] = actors as [string, string, string, string];
    // d is overridden (out of the analysis); a stranger never enrolled.
    await ok(admin("PUT", `/experiments/${name}/overrides/${d}`, { variant: "control" }));
    await publish();
    const early = nowSecs() - 3600;
    const { done } = deliver([
      {
        events: [
          tracked(a, "purchase", { value: 30, id: "o-1" }),
          tracked(a, "purchase", { value: 20, id: "o-2" }),
          tracked(a, "purchase", { value: 30, id: "o-1" }), // a duplicate id: counts nowhere
          tracked(b, "purchase", { value: -5 }), // a refund-like negative value
          tracked(c, "purchase", { value: 99, timestamp_secs: early }), // before its enrolment
          tracked(d, "purchase", { value: 7 }),
          tracked("stranger", "purchase", { value: 1 }),
          tracked(a, "errors", { value: 2 }),
          tracked(a, "nobody_listens"),
        ],
      },
    ]);
    await done;
    // Redelivered later with a's duplicate id again in a new message: counted nowhere.
    await deliver([{ events: [tracked(a, "purchase", { value: 30, id: "o-2" })] }]).done;

    const r = await resultsEnrolled(name, actors.length);
    const expected: Record<string, [number, number, number]> = {};
    const enrolled = (v: string) => actors.filter((x) => variants.get(x) === v).length;
    for (const v of ["control", "treatment"]) expected[v] = [enrolled(v), 0, 0];
    const add = (actor: string, y: number) => {
      const row = expected[variants.get(actor) as string] as [number, number, number];
      row[1] += y;
      row[2] += y * y;
    };
    add(a, 50); // 30 + 20: y = 50, y² = 2500
    add(b, -5);
    expect(sums(metric(r, "revenue"))).toEqual(expected);
    for (const v of ["control", "treatment"]) expected[v] = [enrolled(v), 0, 0];
    add(a, 1);
    add(b, 1);
    expect(sums(metric(r, "purchased"))).toEqual(expected);
    for (const v of ["control", "treatment"]) expected[v] = [enrolled(v), 0, 0];
    add(a, 2);
    expect(sums(metric(r, "errors"))).toEqual(expected);
    // c's early event, d's overridden one and the stranger's, for each metric on `purchase`.
    expect(metric(r, "revenue").unattributed).toBe(3);
    expect(metric(r, "purchased").unattributed).toBe(3);
    expect(metric(r, "errors").unattributed).toBe(0);
  }, 30_000);

  it("makes one actor call per actor and one stats call per experiment per batch", async () => {
    const [x, y] = [unique("calls-x"), unique("calls-y")];
    await runningExperiment(x, { ...fiftyFifty, metrics: [{ name: "buy", kind: "sum" }] });
    await runningExperiment(y, { ...fiftyFifty, metrics: [{ name: "buy", kind: "conversion" }] });
    const actors = [`${x}-1`, `${x}-2`, `${x}-3`];
    for (const actor of actors) {
      await assign(x, actor);
      await assign(y, actor);
    }
    const calls: string[] = [];
    const environment = {
      ...env,
      ACTORS: countingNamespace(env.ACTORS, calls),
      STATS: countingNamespace(env.STATS, calls),
    } as unknown as Env;
    // Three messages, each with events of every actor.
    const bodies = [0, 1, 2].map(() => ({ events: actors.flatMap((actor) => [tracked(actor, "buy", { value: 2 })]) }));
    await deliver(bodies, environment).done;
    expect(calls.filter((c) => c === "attribute")).toHaveLength(3);
    expect(calls.filter((c) => c === "addAndRead")).toHaveLength(2); // running: counted and read back in one call
    expect(calls).toHaveLength(5);
    const rx = await results(x);
    const totalX = metric(rx, "buy").variants.reduce((s, v) => s + v.sum, 0);
    expect(totalX).toBe(3 * 3 * 2);
    const ry = await results(y);
    expect(metric(ry, "buy").variants.reduce((s, v) => s + v.sum, 0)).toBe(3);
  });

  it("retries a message whose counting failed, and its redelivery counts it exactly once", async () => {
    const name = unique("redelivery");
    await runningExperiment(name, { ...fiftyFifty, metrics: [{ name: "spend", kind: "sum" }] });
    const actor = `${name}-actor`;
    const variant = await assign(name, actor);
    const body = { events: [tracked(actor, "spend", { value: 3 }), tracked(actor, "spend", { value: 4 })] };
    const calls: string[] = [];
    const failing = { ...env, STATS: countingNamespace(env.STATS, calls, "addAndRead") } as unknown as Env;
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const first = deliver([body], failing, ["redelivered-1"]);
    const retried = vi.spyOn(first.batch.messages[0] as Message<unknown>, "retry");
    await first.done;
    expect(retried).toHaveBeenCalled();
    // The queue delivers it again, twice (an acknowledgement lost the second time).
    await deliver([body], env as unknown as Env, ["redelivered-1"]).done;
    await deliver([body], env as unknown as Env, ["redelivered-1"]).done;
    const m = metric(await results(name), "spend");
    expect(m.variants.find((v) => v.name === variant)).toMatchObject({ sum: 7, sum_squares: 49 });
  });

  it("retries the messages of an actor whose object failed, without counting any part of them", async () => {
    const name = unique("actor-fails");
    await runningExperiment(name, { ...fiftyFifty, metrics: [{ name: "spend", kind: "sum" }] });
    const [p, q] = [`${name}-p`, `${name}-q`];
    await assign(name, p);
    await assign(name, q);
    const calls: string[] = [];
    const failing = { ...env, ACTORS: countingNamespace(env.ACTORS, calls, "attribute") } as unknown as Env;
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const body = { events: [tracked(p, "spend", { value: 5 }), tracked(q, "spend", { value: 6 })] };
    const first = deliver([body], failing, ["actor-fails-1"]);
    const retried = vi.spyOn(first.batch.messages[0] as Message<unknown>, "retry");
    await first.done;
    expect(retried).toHaveBeenCalled();
    expect(calls.filter((c) => c.startsWith("add"))).toEqual([]);
    expect(metric(await results(name), "spend").variants.reduce((s, v) => s + v.sum, 0)).toBe(0);
    await deliver([body], env as unknown as Env, ["actor-fails-1"]).done;
    expect(metric(await results(name), "spend").variants.reduce((s, v) => s + v.sum, 0)).toBe(11);
  });

  it("drops events no running experiment's metric listens to without calling any object", async () => {
    const name = unique("concluded-metric");
    await runningExperiment(name, { ...fiftyFifty, metrics: [{ name: "late", kind: "sum" }] });
    const actor = `${name}-a`;
    await assign(name, actor);
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "control" }));
    await publish();
    const calls: string[] = [];
    const environment = {
      ...env,
      ACTORS: countingNamespace(env.ACTORS, calls),
      STATS: countingNamespace(env.STATS, calls),
    };
    await deliver([{ events: [tracked(actor, "late"), tracked(actor, "unheard_of")] }], environment as unknown as Env)
      .done;
    expect(calls).toEqual([]);
  });
});

describe("GET …/results: the analysis", () => {
  it("defaults to sequential at 0.05, takes method and alpha, and refuses anything else", async () => {
    const name = unique("analysis-query");
    await runningExperiment(name, { ...fiftyFifty, metrics: [{ name: "m", kind: "conversion" }] });
    expect((await results(name)).analysis).toEqual({
      method: "sequential",
      alpha: 0.05,
      tuning: 5000,
      trustworthy: true,
    });
    expect((await results(name, "?method=fixed&alpha=0.01")).analysis).toEqual({
      method: "fixed",
      alpha: 0.01,
      tuning: null,
      trustworthy: true,
    });
    for (const query of ["?method=bayesian", "?alpha=0.5", "?alpha=0", "?alpha=abc", "?alpha=1e-3", "?alpha=-0.1"]) {
      const { body } = await problem(admin("GET", `/experiments/${name}/results${query}`), 400, "invalid_request");
      expect(body.errors).toEqual([{ parameter: query.slice(1).split("=")[0], detail: expect.any(String) }]);
    }
    const empty = await results(name);
    expect(empty.metrics).toEqual([
      {
        name: "m",
        event: "m",
        kind: "conversion",
        direction: "increase",
        role: "goal",
        unattributed: 0,
        variants: [
          { name: "control", n: 0, sum: 0, sum_squares: 0, mean: null, variance: null },
          { name: "treatment", n: 0, sum: 0, sum_squares: 0, mean: null, variance: null },
        ],
        comparisons: [
          {
            variant: "treatment",
            baseline: "control",
            absolute: { estimate: null, ci: null },
            relative: null,
            p_value: null,
            decision: "insufficient_data",
          },
        ],
      },
    ]);
  });
});
