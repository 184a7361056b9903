// Assignment from other Workers: the `ExperimentsRpc` entrypoint through a real service
// binding (`exports.ExperimentsRpc`, the runtime's binding to this Worker's own
// entrypoint, as a consumer's `[[services]]` gets one), against the HTTP routes.
import { exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import consumer from "../../examples/consumer-worker/src/index";
import { ActorObject } from "../../src/edge/objects/actor/actor-object";
import { ExperimentsRpc } from "../../src/edge/rpc";
import worker from "../../src/index";
import { admin, BASE, call, callsOf, fiftyFifty, ok, publish, runningExperiment, unique } from "./helpers";

// Bound once the runtime has set up the test's context (not yet when this module loads).
let rpc: typeof exports.ExperimentsRpc;

afterEach(() => vi.restoreAllMocks());

/** Counts the RPCs that reach actor objects (they run in this isolate), whoever makes them. */
const actorCalls = () => vi.spyOn(ActorObject.prototype, "assign");

const running = unique("rpc-running");
const batch = Array.from({ length: 10 }, (_, i) => unique(`rpc-batch-${i}`));
const concluded = unique("rpc-concluded");
const draft = unique("rpc-draft");
const archived = unique("rpc-archived");
const german = unique("rpc-german");

beforeAll(async () => {
  rpc = exports.ExperimentsRpc;
  for (const name of [running, ...batch, concluded, archived]) await runningExperiment(name);
  await runningExperiment(german, {
    ...fiftyFifty,
    targeting: [{ attribute: "country", operator: "in", values: ["DE"] }],
  });
  await ok(admin("POST", `/experiments/${concluded}/conclude`, { winner: "treatment" }));
  await ok(admin("POST", `/experiments/${archived}/archive`));
  await ok(admin("PUT", `/experiments/${draft}`, fiftyFifty), 201);
  await publish();
});

/** The HTTP batch's `assignments`, in the RPC answers' shape. */
async function httpBatch(actor: string, experiments?: string[], attributes?: object) {
  const body = await ok<{ assignments: Record<string, { variant?: string; is_override?: boolean; error?: object }> }>(
    call("POST", "/v1/assign", { body: { actor, experiments, attributes } }),
  );
  return Object.fromEntries(
    Object.entries(body.assignments).map(([name, a]) => [
      name,
      a.error === undefined
        ? { ok: true, variant: a.variant, is_override: a.is_override }
        : { ok: false, error: a.error },
    ]),
  );
}

describe("the ExperimentsRpc service binding", () => {
  it("assigns a fresh actor the variant that the HTTP route then answers, and the reverse", async () => {
    const variants = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const [viaRpc, viaHttp] = [`rpc-first:${i}`, `http-first:${i}`];
      const first = await rpc.assign(running, viaRpc);
      const then = await ok<{ variant: string }>(call("GET", `/v1/assign/${running}?actor=${viaRpc}`));
      expect(first).toEqual({ ok: true, variant: then.variant, is_override: false });
      const before = await ok<{ variant: string }>(call("GET", `/v1/assign/${running}?actor=${viaHttp}`));
      expect(await rpc.assign(running, viaHttp)).toEqual({ ok: true, variant: before.variant, is_override: false });
      variants.add(then.variant).add(before.variant);
    }
    expect(variants).toEqual(new Set(["control", "treatment"])); // not trivially equal
  });

  it("answers a batch experiment by experiment as the HTTP batch's assignments do", async () => {
    const names = [running, concluded, draft, archived, german, "rpc-ghost"];
    const answer = await rpc.assignMany("batch-user", names, { attributes: { country: "FR" } });
    expect(answer).toEqual({ ok: true, assignments: await httpBatch("batch-user", names, { country: "FR" }) });
    const codes = Object.values(answer.ok ? answer.assignments : {}).map((a) => (a.ok ? a.variant : a.error.code));
    expect(codes).toEqual([expect.any(String), "treatment", "not_running", "archived", "not_eligible", "not_found"]);
  });

  it("answers one experiment's refusal as data, as the HTTP route's problem code", async () => {
    expect(await rpc.assign("rpc-ghost", "someone")).toEqual({
      ok: false,
      error: { code: "not_found", detail: "experiment 'rpc-ghost' not found" },
    });
    expect(await rpc.assign(draft, "someone")).toMatchObject({ ok: false, error: { code: "not_running" } });
  });

  it("assigns every running or concluded experiment, in name order, when no list is given", async () => {
    const answer = await rpc.assignMany("everything-user");
    if (!answer.ok) throw new Error(answer.error.detail);
    const names = Object.keys(answer.assignments);
    expect(names).toEqual(expect.arrayContaining([running, concluded, ...batch]));
    expect(names).not.toContain(draft);
    expect(names).not.toContain(archived);
    expect(names).toEqual([...names].sort());
  });

  it("makes no HTTP request to the assignment Worker", async () => {
    const httpRequests = vi.spyOn(worker, "fetch");
    await rpc.assign(running, "no-http");
    await rpc.assignMany("no-http", batch);
    expect(httpRequests).not.toHaveBeenCalled();
    await call("GET", `/v1/assign/${running}?actor=no-http`); // the spy does see HTTP
    expect(httpRequests).toHaveBeenCalledTimes(1);
  });

  it("costs one actor-object call for a batch of 10 running experiments, as the HTTP batch does", async () => {
    const calls = actorCalls();
    expect(await rpc.assignMany("budget-rpc", batch)).toMatchObject({ ok: true });
    expect(calls).toHaveBeenCalledTimes(1);
    const http = await call("POST", "/v1/assign", { body: { actor: "budget-http", experiments: batch } });
    expect(callsOf(http).actor).toBe(1);
    expect(calls).toHaveBeenCalledTimes(2); // the spy counts what X-Edge-Calls counts
  });

  it("costs no actor-object call for concluded, draft, archived or unknown experiments", async () => {
    const calls = actorCalls();
    for (const name of [concluded, draft, archived, "rpc-ghost"]) await rpc.assign(name, "budget-none");
    await rpc.assignMany("budget-none", [concluded, draft, archived, "rpc-ghost"]);
    expect(calls).not.toHaveBeenCalled();
  });

  it("reads targeting attributes from the caller only: an RPC call has no request.cf", async () => {
    const fromGermany = await exports.default.fetch(
      new Request(`${BASE}/v1/assign/${german}?actor=visitor`, { cf: { country: "DE" } } as RequestInit),
    );
    expect(fromGermany.status).toBe(200);
    expect(await rpc.assign(german, "visitor-2")).toMatchObject({ ok: false, error: { code: "not_eligible" } });
    expect(await rpc.assign(german, "visitor-2", { attributes: { country: "DE" } })).toMatchObject({ ok: true });
  });

  it("emits an exposure per assignment and an enrolment per new actor, with the caller's request id", async () => {
    const name = unique("rpc-events");
    await runningExperiment(name);
    const lines = vi.spyOn(console, "info").mockImplementation(() => undefined); // the queue consumer's exposure lines
    for (let i = 0; i < 10; i++) await rpc.assign(name, `events:${i}`, { requestId: `rpc-request-${i}` });
    for (let i = 0; i < 10; i++) await rpc.assignMany(`events:${i}`, [name]); // repeat visits
    const counted = await resultsWhen(name, (exposures) => exposures >= 20);
    expect(counted).toEqual({ enrolled: 10, exposures: 20 });
    // The consumer writes an experiment's lines just after storing its counts.
    const logged = () => lines.mock.calls.map(([line]) => String(line)).filter((line) => line.includes(`"${name}"`));
    await vi.waitFor(() => expect(logged()).toHaveLength(20));
    expect(logged().filter((line) => line.includes('"request_id":"rpc-request-'))).toHaveLength(10);
    expect(logged().filter((line) => line.includes('"request_id":null'))).toHaveLength(10);
  }, 30_000);

  it.each<[string, () => Promise<unknown>, string]>([
    ["an experiment name with ':'", () => rpc.assign("a:b", "u"), "'experiment'"],
    ["an experiment name that is not a string", () => rpc.assign(42 as never, "u"), "'experiment'"],
    ["an empty actor", () => rpc.assign(running, ""), "'actor'"],
    ["an actor with a control character", () => rpc.assign(running, "u\u0000"), "'actor'"],
    ["an actor longer than 256 bytes", () => rpc.assign(running, "u".repeat(257)), "'actor'"],
    ["no actor", () => rpc.assignMany(undefined as never, [running]), "'actor'"],
    [
      "attributes that are an array",
      () => rpc.assign(running, "u", { attributes: [] as never }),
      "'options.attributes'",
    ],
    [
      "an attribute value that is an object",
      () => rpc.assign(running, "u", { attributes: { plan: {} as never } }),
      "'options.attributes.plan'",
    ],
    [
      "an attribute named __proto__",
      () => rpc.assign(running, "u", { attributes: JSON.parse('{"__proto__": "x"}') }),
      "'__proto__' is a reserved attribute name",
    ],
    [
      "51 attributes",
      () =>
        rpc.assign(running, "u", {
          attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i])),
        }),
      "'options.attributes'",
    ],
    [
      "an unknown option",
      () => rpc.assign(running, "u", { attribute: {} } as never),
      "'options.attribute': unknown field",
    ],
    ["a request id with a newline", () => rpc.assign(running, "u", { requestId: "a\nb" }), "'options.requestId'"],
    ["experiments that are not a list", () => rpc.assignMany("u", running as never), "'experiments'"],
    [
      "101 experiments",
      () =>
        rpc.assignMany(
          "u",
          Array.from({ length: 101 }, (_, i) => `e${i}`),
        ),
      "'experiments'",
    ],
    ["an invalid name in the list", () => rpc.assignMany("u", [running, "bad name"]), "'experiments.1'"],
  ])("answers %s with invalid_request data naming it, and assigns nothing", async (_, attempt, named) => {
    const calls = actorCalls();
    const answer = (await attempt()) as { ok: boolean; error: { code: string; detail: string } };
    expect(answer).toEqual({ ok: false, error: { code: "invalid_request", detail: expect.stringContaining(named) } });
    expect(calls).not.toHaveBeenCalled();
  });

  it("tracks an actor's events through the queue, to be counted as POST /v1/track's are", async () => {
    const name = unique("rpc-track");
    await runningExperiment(name, { ...fiftyFifty, metrics: [{ name: "spend", kind: "sum" }] });
    const assigned = await rpc.assign(name, "rpc-tracker");
    const answer = await rpc.track("rpc-tracker", [
      { event: "spend", value: 12 },
      { event: "spend", value: 3 },
    ]);
    expect(answer).toEqual({ ok: true, accepted: 2 });
    type Sums = { metrics: { variants: { name: string; sum: number; sum_squares: number }[] }[] };
    let sums: Sums["metrics"][number]["variants"] = [];
    for (let waited = 0; waited < 20_000; waited += 250) {
      sums = (await ok<Sums>(admin("GET", `/experiments/${name}/results`))).metrics[0]?.variants ?? [];
      if (sums.some((variant) => variant.sum !== 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(sums.find((variant) => variant.name === (assigned as { variant: string }).variant)).toMatchObject({
      sum: 15,
      sum_squares: 225,
    });
  }, 30_000);

  it.each([
    ["no events", () => rpc.track("u", []), "'events'"],
    ["an actor that is not one", () => rpc.track("", [{ event: "e" }]), "'actor'"],
    ["a value that is not finite", () => rpc.track("u", [{ event: "e", value: Number.NaN }]), "'events.0.value'"],
    ["an unknown field", () => rpc.track("u", [{ event: "e", amount: 1 } as never]), "'events.0.amount'"],
  ])("answers track with %s as invalid_request data naming it", async (_, attempt, named) => {
    const answer = (await attempt()) as { ok: boolean; error: { code: string; detail: string } };
    expect(answer).toEqual({ ok: false, error: { code: "invalid_request", detail: expect.stringContaining(named) } });
  });

  it("offers assign, assignMany and track only: no fetch handler, no admin method", () => {
    expect(Object.getOwnPropertyNames(ExperimentsRpc.prototype).sort()).toEqual([
      "assign",
      "assignMany",
      "constructor",
      "track",
    ]);
  });
});

describe("the example consumer Worker", () => {
  const visit = (query: string) =>
    consumer.fetch(new Request(`https://consumer.test/?${query}`), { EXPERIMENTS: rpc, ASSIGN_URL: BASE });

  it("answers X-Variant through its binding: the variant the HTTP route answers", async () => {
    const httpRequests = vi.spyOn(worker, "fetch");
    const response = await visit(`experiment=${running}&actor=consumer-user`);
    expect(response.status).toBe(200);
    expect(httpRequests).not.toHaveBeenCalled();
    const http = await ok<{ variant: string }>(call("GET", `/v1/assign/${running}?actor=consumer-user`));
    expect(response.headers.get("x-variant")).toBe(http.variant);
  });

  it("answers X-Experiment-Error with the code when the actor gets no variant", async () => {
    const response = await visit(`experiment=${draft}&actor=consumer-user`);
    expect(response.status).toBe(200);
    expect([response.headers.get("x-variant"), response.headers.get("x-experiment-error")]).toEqual([
      null,
      "not_running",
    ]);
    expect((await visit("experiment=&actor=consumer-user")).headers.get("x-experiment-error")).toBe("invalid_request");
  });

  it("answers the same through the public route with via=http", async () => {
    // The consumer's subrequests reach this Worker's fetch handler instead of the network.
    const outbound = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation((input, init) => exports.default.fetch(new Request(input, init)));
    const viaRpc = await visit(`experiment=${running}&actor=consumer-http`);
    const viaHttp = await visit(`experiment=${running}&actor=consumer-http&via=http`);
    expect(outbound).toHaveBeenCalledTimes(1);
    expect(viaHttp.headers.get("x-variant")).toBe(viaRpc.headers.get("x-variant"));
    expect((await visit("experiment=rpc-ghost&actor=x&via=http")).headers.get("x-experiment-error")).toBe("not_found");
  });
});

/** Polls an experiment's counted events until `done` holds (the queue consumer runs after its batch delay). */
async function resultsWhen(name: string, done: (exposures: number) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { variants } = await ok<{ variants: { enrolled: number; exposures: number }[] }>(
      admin("GET", `/experiments/${name}/results`),
    );
    const total = {
      enrolled: variants.reduce((sum, v) => sum + v.enrolled, 0),
      exposures: variants.reduce((sum, v) => sum + v.exposures, 0),
    };
    if (done(total.exposures) || Date.now() > deadline) return total;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
