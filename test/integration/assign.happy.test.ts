import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/edge/http/app";
import { admin, call, ok, publish, runningExperiment, unique } from "./helpers";

type Single = { experiment: string; actor: string; variant: string; is_override: boolean };
type Batch = {
  actor: string;
  assignments: Record<string, { variant?: string; is_override?: boolean; error?: { code: string; detail: string } }>;
};

afterEach(() => vi.restoreAllMocks());

/**
 * Checks who `via`'s route assigns, one step of the precedence at a time: each source is
 * sent together with every source below it, so that any other order picks another actor.
 * The explicit `actor` is the query parameter for GET and the body field for POST.
 */
async function expectActorPrecedence(via: "GET" | "POST") {
  const name = unique(`actor-precedence-${via.toLowerCase()}`);
  await runningExperiment(name);
  const header = { "x-actor-id": `header-${name}` };
  const cookie = { cookie: `theme=dark; exp_actor=${encodeURIComponent(`cookie:${name}`)}` };
  const resolve = async (explicit: string | undefined, headers: Record<string, string>) => {
    const response =
      via === "GET"
        ? await call("GET", `/v1/assign/${name}${explicit === undefined ? "" : `?actor=${explicit}`}`, { headers })
        : await call("POST", "/v1/assign", { body: { actor: explicit, experiments: [name] }, headers });
    const { actor } = await ok<{ actor: string }>(response);
    // The actor the response names is the one that was assigned, not only echoed.
    const stored = await ok<{ actor: string }>(
      admin("GET", `/experiments/${name}/assignments/${encodeURIComponent(actor)}`),
    );
    expect(stored.actor).toBe(actor);
    return { actor, setCookie: response.headers.get("set-cookie") };
  };

  expect(await resolve(`explicit-${name}`, { ...header, ...cookie })).toEqual({
    actor: `explicit-${name}`,
    setCookie: null,
  });
  expect(await resolve(undefined, { ...header, ...cookie })).toEqual({ actor: `header-${name}`, setCookie: null });
  expect(await resolve(undefined, cookie)).toEqual({ actor: `cookie:${name}`, setCookie: null });
  const fresh = await resolve(undefined, {});
  expect(fresh.actor).toMatch(/^anon:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(fresh.setCookie).toBe(
    `exp_actor=${encodeURIComponent(fresh.actor)}; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax`,
  );
}

/** The exposure lines the Worker logged (it runs in this isolate, so console is shared). */
/**
 * The exposure lines logged for `experiment`. The events queue's consumer writes them,
 * in this same isolate, a batch delay (about a second) after the requests.
 */
function exposureSpy(experiment: string) {
  const spy = vi.spyOn(console, "info").mockImplementation(() => undefined);
  return () =>
    spy.mock.calls
      .map(([line]) =>
        typeof line === "string" && line.startsWith('{"event":"experiment_exposure"') ? JSON.parse(line) : null,
      )
      .filter((e) => e !== null && e.experiment === experiment);
}

describe("GET /v1/assign/{experiment}", () => {
  it("assigns the reference fixture: checkout_v2 / user:1 at 50/50 is control", async () => {
    await runningExperiment("checkout_v2");
    const body = await ok<Single>(call("GET", "/v1/assign/checkout_v2?actor=user:1"));
    expect(body).toEqual({ experiment: "checkout_v2", actor: "user:1", variant: "control", is_override: false });
  });

  it("answers every response with Cache-Control: no-store and a request id", async () => {
    const mine = await call("GET", "/v1/assign/ghost?actor=u", { headers: { "x-request-id": "req-abc" } });
    expect(mine.headers.get("cache-control")).toBe("no-store");
    expect(mine.headers.get("x-request-id")).toBe("req-abc");
    const fresh = await call("GET", "/v1/assign/ghost?actor=u", { headers: { "x-request-id": "x".repeat(129) } });
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("resolves the actor from the query, then X-Actor-Id, then the exp_actor cookie, else a new anonymous id", async () => {
    await expectActorPrecedence("GET");
  });

  it("gives a new visitor an anonymous id and sets it as a cookie they keep", async () => {
    const name = unique("anonymous");
    await runningExperiment(name);
    const response = await call("GET", `/v1/assign/${name}`);
    const body = await ok<Single>(response);
    expect(body.actor).toMatch(/^anon:[0-9a-f-]{36}$/);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toBe(
      `exp_actor=${encodeURIComponent(body.actor)}; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax`,
    );
    const again = await ok<Single>(
      call("GET", `/v1/assign/${name}`, { headers: { cookie: cookie.split(";")[0] as string } }),
    );
    expect(again).toEqual(body);
  });

  it("replaces an exp_actor cookie that is not a valid actor id with a new anonymous id", async () => {
    const name = unique("bad-cookie");
    await runningExperiment(name);
    // "x\uFFFD" is what the runtime makes of raw bytes that are not UTF-8 (x\xFF).
    for (const broken of ["%E0%A4%A", encodeURIComponent("x".repeat(257)), "a%00b", "x\uFFFD"]) {
      const response = await call("GET", `/v1/assign/${name}`, { headers: { cookie: `exp_actor=${broken}` } });
      const body = await ok<Single>(response);
      expect(body.actor).toMatch(/^anon:[0-9a-f-]{36}$/);
      expect(response.headers.get("set-cookie")).toContain(`exp_actor=${encodeURIComponent(body.actor)};`);
    }
  });

  it("leaves query parameters it does not read alone, however they are written", async () => {
    const name = unique("other-params");
    await runningExperiment(name);
    for (const extra of ["utm_source=a&utm_source=b", "ref=50%off", "%FF=1", "debug&debug", "=&="]) {
      const response = await call("GET", `/v1/assign/${name}?actor=u1&${extra}`);
      expect(response.status, extra).toBe(200);
      expect(((await response.json()) as Single).actor).toBe("u1");
    }
  });

  it("accepts non-ASCII and e-mail actors", async () => {
    const name = unique("unicode");
    await runningExperiment(name);
    for (const actor of ["ана@example.com", "用户:42", "🧪:1"]) {
      expect((await ok<Single>(call("GET", `/v1/assign/${name}?actor=${encodeURIComponent(actor)}`))).actor).toBe(
        actor,
      );
    }
  });

  it("emits one exposure per successful running assignment, with the request id or CF-Ray", async () => {
    const name = unique("exposure");
    await runningExperiment(name);
    const exposures = exposureSpy(name);
    const first = await call("GET", `/v1/assign/${name}?actor=a`, { headers: { "x-request-id": "req-1" } });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-exposures")).toBe("1");
    await ok(call("GET", `/v1/assign/${name}?actor=a`, { headers: { "cf-ray": "ray-2" } }));
    await ok(call("GET", `/v1/assign/${name}?actor=b`));
    await vi.waitFor(() => expect(exposures()).toHaveLength(3), { timeout: 10_000, interval: 100 });
    expect(exposures().map((e) => [e.actor, e.request_id])).toEqual([
      ["a", "req-1"],
      ["a", "ray-2"],
      ["b", null],
    ]);
    expect(Object.keys(exposures()[0])).toEqual([
      "event",
      "experiment",
      "variant",
      "actor",
      "request_id",
      "is_override",
      "timestamp_secs",
    ]);
  });

  it("answers a concluded experiment with the winner and no exposure", async () => {
    const name = unique("concluded");
    await runningExperiment(name);
    await ok(admin("POST", `/experiments/${name}/conclude`, { winner: "treatment" }));
    await publish();
    const exposures = exposureSpy(name);
    for (let i = 0; i < 20; i++) {
      const response = await call("GET", `/v1/assign/${name}?actor=user:${i}`);
      expect(response.headers.get("x-exposures")).toBe("0");
      expect((await ok<Single>(response)).variant).toBe("treatment");
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(exposures()).toEqual([]);
  });

  it("keeps working when the exposure sink fails", async () => {
    const name = unique("failing-sink");
    await runningExperiment(name);
    const failing = createApp({
      exposureSink: {
        record: () => {
          throw new Error("sink down");
        },
      },
    });
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const ctx = createExecutionContext();
    const response = await failing.fetch(new Request(`https://edge.test/v1/assign/${name}?actor=u`), env, ctx);
    expect(response.status).toBe(200);
    await waitOnExecutionContext(ctx);
    expect(errors).toHaveBeenCalledWith("exposure sink failed", expect.any(Error));
  });
});

describe("a slow exposure sink", () => {
  it("does not delay the assignment: the response leaves before the sink finishes", async () => {
    const name = unique("slow-sink");
    await runningExperiment(name);
    // workerd's clock moves only across I/O, timers included: a response that waited for
    // this sink would be measured as at least SINK_MS late.
    const SINK_MS = 2_000;
    const delivered: string[] = [];
    const slow = createApp({
      exposureSink: {
        record: async (exposure) => {
          await new Promise((resolve) => setTimeout(resolve, SINK_MS));
          delivered.push(exposure.actor);
        },
      },
    });
    const ctx = createExecutionContext();
    const started = Date.now();
    const response = await slow.fetch(new Request(`https://edge.test/v1/assign/${name}?actor=u`), env, ctx);
    const answeredAfter = Date.now() - started;
    expect(response.status).toBe(200);
    expect(answeredAfter, "the response waited for the exposure sink").toBeLessThan(SINK_MS / 4);
    expect(delivered).toEqual([]);
    // The exposure is still delivered, after the response, through waitUntil.
    await waitOnExecutionContext(ctx);
    expect(delivered).toEqual(["u"]);
  });
});

describe("POST /v1/assign", () => {
  it("assigns the given experiments in order, each failing alone", async () => {
    const group = unique("grp");
    const [a, b] = [unique("batch-a"), unique("batch-b")];
    for (const name of [a, b])
      await runningExperiment(name, { variants: [{ name: "x", weight: 1 }], exclusion_group: group });
    const body = await ok<Batch>(
      call("POST", "/v1/assign", { body: { actor: "batch-user", experiments: [b, "ghost", a] } }),
    );
    expect(body.actor).toBe("batch-user");
    expect(Object.keys(body.assignments)).toEqual([b, "ghost", a]);
    expect(body.assignments[b]).toEqual({ variant: "x", is_override: false });
    expect(body.assignments.ghost?.error).toEqual({ code: "not_found", detail: "experiment 'ghost' not found" });
    expect(body.assignments[a]?.error).toEqual({
      code: "excluded_by_group",
      detail: `actor excluded from experiment '${a}' by mutual exclusion group '${group}'`,
    });
  });

  it("without a list, assigns every running and concluded experiment in name order", async () => {
    const running = unique("all-running");
    const draft = unique("all-draft");
    await runningExperiment(running);
    await ok(admin("PUT", `/experiments/${draft}`, { variants: [{ name: "x", weight: 1 }] }), 201);
    await publish();
    const body = await ok<Batch>(call("POST", "/v1/assign", { body: { actor: "everything" } }));
    const names = Object.keys(body.assignments);
    expect(names).toContain(running);
    expect(names).not.toContain(draft);
    expect(names).toEqual([...names].sort());
    const list = await ok<{ experiments: { name: string; state: string }[] }>(admin("GET", "/experiments"));
    const expected = list.experiments
      .filter((c) => c.state === "running" || c.state === "concluded")
      .map((c) => c.name);
    expect(names).toEqual(expected);
  });

  it("resolves the actor from the body, then X-Actor-Id, then the exp_actor cookie, else a new anonymous id", async () => {
    await expectActorPrecedence("POST");
  });
});
