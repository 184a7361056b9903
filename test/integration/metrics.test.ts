// An experiment's metrics over HTTP (issue 21, section 1): defined with the experiment,
// shown with their defaults by every read, refused with a pointer under /metrics (and
// nothing stored), changed while running and recorded in the history.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SNAPSHOT_KEY } from "../../src/edge/config/snapshot";
import { admin, fiftyFifty, ok, problem, publish, unique } from "./helpers";

const purchase = { name: "purchase", event: "purchase", kind: "conversion", direction: "increase", role: "goal" };
const refunds = { name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" };

type Config = { name: string; state: string; revision: number; metrics: unknown[] };

describe("a definition with metrics", () => {
  it("is stored with each metric's defaults filled in, and every read shows them", async () => {
    const name = unique("metrics-define");
    const definition = {
      ...fiftyFifty,
      metrics: [
        { name: "purchase", kind: "conversion" },
        { name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" },
      ],
    };
    const created = await ok<Config>(admin("PUT", `/experiments/${name}`, definition), 201);
    expect(created.metrics).toEqual([purchase, refunds]);
    expect((await ok<Config>(admin("GET", `/experiments/${name}`))).metrics).toEqual([purchase, refunds]);
    const { experiments } = await ok<{ experiments: Config[] }>(admin("GET", "/experiments"));
    expect(experiments.find((c) => c.name === name)?.metrics).toEqual([purchase, refunds]);

    await publish();
    const snapshot = JSON.parse((await env.CONFIG.get(SNAPSHOT_KEY, "text")) ?? "null");
    const stored = snapshot.experiments.find((c: Config) => c.name === name);
    expect(stored.metrics).toEqual([purchase, refunds]);
  });

  it("without metrics has none, and the snapshot stores a config without them as before (no field)", async () => {
    const name = unique("metrics-none");
    expect((await ok<Config>(admin("PUT", `/experiments/${name}`, fiftyFifty), 201)).metrics).toEqual([]);
    await publish();
    const snapshot = JSON.parse((await env.CONFIG.get(SNAPSHOT_KEY, "text")) ?? "null");
    expect(snapshot.experiments.find((c: Config) => c.name === name)).not.toHaveProperty("metrics");
  });
});

describe("a definition with a bad metric is refused, and nothing is stored", () => {
  const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `m${i}`, kind: "sum" }));
  it.each([
    ["a name with a colon", [{ name: "a:b", kind: "sum" }], 422, "invalid_config", "/metrics/0/name"],
    ["a name with a line feed", [{ name: "a\nb", kind: "sum" }], 422, "invalid_config", "/metrics/0/name"],
    ["an event with NUL", [{ name: "a", event: "e\u0000", kind: "sum" }], 422, "invalid_config", "/metrics/0/event"],
    [
      "a name used twice",
      [
        { name: "a", kind: "sum" },
        { name: "a", kind: "conversion" },
      ],
      422,
      "invalid_config",
      "/metrics/1/name",
    ],
    ["eleven metrics", eleven, 422, "invalid_config", "/metrics"],
    ["an unknown kind", [{ name: "a", kind: "mean" }], 422, "invalid_config", "/metrics/0/kind"],
    [
      "an unknown direction",
      [{ name: "a", kind: "sum", direction: "up" }],
      422,
      "invalid_config",
      "/metrics/0/direction",
    ],
    ["an unknown role", [{ name: "a", kind: "sum", role: "primary" }], 422, "invalid_config", "/metrics/0/role"],
    ["an unknown field", [{ name: "a", kind: "sum", window: 7 }], 400, "invalid_request", "/metrics/0"],
    ["a metric without a kind", [{ name: "a" }], 400, "invalid_request", "/metrics/0"],
    ["a kind that is not a string", [{ name: "a", kind: 1 }], 400, "invalid_request", "/metrics/0/kind"],
    ["metrics that are not a list", { name: "a", kind: "sum" }, 400, "invalid_request", "/metrics"],
  ])("%s", async (_, metrics, status, code, pointer) => {
    const name = unique("metrics-bad");
    const { body } = await problem(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, metrics }), status, code);
    const pointers = (body.errors as { pointer?: string }[]).map((e) => e.pointer);
    expect(pointers).toHaveLength(1);
    expect(pointers[0]?.startsWith(pointer)).toBe(true);
    await problem(admin("GET", `/experiments/${name}`), 404, "not_found");
    expect(await ok(admin("GET", `/experiments/${name}/history?limit=0`))).toEqual({ history: [] });
  });

  it("leaves an existing experiment as it was", async () => {
    const name = unique("metrics-bad-redefine");
    await ok(
      admin("PUT", `/experiments/${name}`, { ...fiftyFifty, metrics: [{ name: "purchase", kind: "conversion" }] }),
      201,
    );
    const before = await ok(admin("GET", `/experiments/${name}`));
    await problem(
      admin("PUT", `/experiments/${name}`, { ...fiftyFifty, metrics: [{ name: "x", kind: "avg" }] }),
      422,
      "invalid_config",
    );
    expect(await ok(admin("GET", `/experiments/${name}`))).toEqual(before);
  });
});

describe("metrics of a running experiment", () => {
  it("change with a definition PUT (200), which keeps the state and revision and is recorded in the history", async () => {
    const name = unique("metrics-running");
    await ok(
      admin("PUT", `/experiments/${name}`, { ...fiftyFifty, metrics: [{ name: "purchase", kind: "conversion" }] }),
      201,
    );
    await ok(admin("POST", `/experiments/${name}/start`));
    const definition = { ...fiftyFifty, metrics: [{ name: "purchase", kind: "conversion" }, refunds] };
    const changed = await ok<Config>(
      admin("PUT", `/experiments/${name}`, definition, { "x-admin-actor": "analyst@example.com" }),
    );
    expect(changed).toMatchObject({ state: "running", revision: 1, metrics: [purchase, refunds] });
    expect((await ok<Config>(admin("GET", `/experiments/${name}`))).metrics).toEqual([purchase, refunds]);
    const { history } = await ok<{ history: { mutation: string; actor: string | null }[] }>(
      admin("GET", `/experiments/${name}/history?limit=0`),
    );
    expect(history.map((r) => r.mutation)).toEqual(["updated", "state=running", "created"]);
    expect(history[0]?.actor).toBe("admin/analyst@example.com"); // the token's name, then who used it
  });

  it("are removed by a definition without them: the definition replaces the whole", async () => {
    const name = unique("metrics-removed");
    await ok(admin("PUT", `/experiments/${name}`, { ...fiftyFifty, metrics: [refunds] }), 201);
    await ok(admin("POST", `/experiments/${name}/start`));
    expect((await ok<Config>(admin("PUT", `/experiments/${name}`, fiftyFifty))).metrics).toEqual([]);
  });
});
