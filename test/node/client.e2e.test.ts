// The typed client against the real Worker (`wrangler dev`): every method once, and the
// typed errors the Worker's refusals become.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.mjs";
import { ApiError, ExperimentsClient, InputError, NetworkError } from "../../src/client";

const TOKEN = "client-e2e-token";
const FIFTY = [
  { name: "control", weight: 50 },
  { name: "treatment", weight: 50 },
];

let dev: WranglerDev;
let client: ExperimentsClient;
let persistTo: string;

beforeAll(async () => {
  persistTo = mkdtempSync(join(tmpdir(), "client-e2e-"));
  // A config cache of 0 ms: a change reaches assignments as soon as the registry publishes it.
  dev = await startWranglerDev({ token: TOKEN, persistTo, vars: { CONFIG_CACHE_TTL_MS: "0" }, quiet: true });
  client = new ExperimentsClient({ baseUrl: dev.url, token: TOKEN, adminActor: "client-e2e@example.com" });
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(persistTo, { recursive: true, force: true });
}, 30_000);

/** Retries `probe` until it resolves (config changes reach the edge within about a second). */
async function eventually<T>(probe: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe("the client against the real Worker", () => {
  it("drives an experiment through every admin and public method", async () => {
    const name = "client_e2e";
    const created = await client.define(name, { variants: FIFTY, description: "from the client" });
    expect(created.created).toBe(true);
    expect(created.config).toMatchObject({ name, state: "draft", description: "from the client" });
    const replaced = await client.define(name, {
      variants: FIFTY,
      targeting: [{ attribute: "plan", operator: "in", values: ["pro"] }],
    });
    expect(replaced).toMatchObject({ created: false, config: { description: null } });

    expect((await client.get(name)).targeting).toEqual([
      { attribute: "plan", operator: "in", values: ["pro"], case_insensitive: false },
    ]);
    expect((await client.list()).experiments.map((e) => e.name)).toContain(name);
    expect((await client.setCoverage(name, 10_000)).coverage).toBe(10_000);
    expect((await client.start(name)).state).toBe("running");
    expect(
      (
        await client.setWeights(name, [
          { name: "control", weight: 100 },
          { name: "treatment", weight: 0 },
        ])
      ).variants,
    ).toEqual([
      { name: "control", weight: 100 },
      { name: "treatment", weight: 0 },
    ]);

    // Attributes travel as attr.plan=pro: without them the actor is not eligible.
    const assigned = await eventually(() => client.assign(name, { actor: "user:1", attributes: { plan: "pro" } }));
    expect(assigned).toEqual({ experiment: name, actor: "user:1", variant: "control", is_override: false });
    await expect(client.assign(name, { actor: "user:2" })).rejects.toMatchObject({ status: 409, code: "not_eligible" });

    const batch = await client.assignBatch({
      actor: "user:1",
      experiments: [name, "ghost"],
      attributes: { plan: "pro" },
    });
    expect(batch.assignments[name]).toEqual({ variant: "control", is_override: false });
    expect(batch.assignments.ghost).toMatchObject({ error: { code: "not_found" } });

    // An actor id that needs percent-encoding in the path.
    const qa = "qa:alice/x y";
    expect(await client.setOverride(name, qa, "treatment")).toEqual({
      experiment: name,
      actor: qa,
      variant: "treatment",
    });
    expect(await client.overrides(name)).toEqual({ overrides: [{ actor: qa, variant: "treatment" }] });
    expect(await client.assignment(name, qa)).toMatchObject({ actor: qa, variant: "treatment", is_override: true });
    await client.removeOverride(name, qa);
    expect(await client.overrides(name)).toEqual({ overrides: [] });
    expect(await client.assignment(name, "user:1")).toMatchObject({ variant: "control", is_override: false });

    expect((await client.conclude(name, "treatment")).winner).toBe("treatment");
    expect((await client.archive(name)).state).toBe("archived");

    const { history } = await client.history(name, { limit: 0 });
    expect(history.map((r) => r.mutation)).toEqual([
      "state=archived",
      "concluded=treatment",
      `override_removed=${qa}`,
      `override=${qa}:treatment`,
      "set_weights",
      "state=running",
      "coverage=10000",
      "updated",
      "created",
    ]);
    // X-Admin-Actor, after the token's name where the Worker records one (`admin/client-e2e@…`).
    expect(history.every((r) => r.actor?.endsWith("client-e2e@example.com"))).toBe(true);
    expect((await client.history(name, { limit: 2 })).history).toHaveLength(2);
    expect(await client.openapi()).toMatchObject({ openapi: "3.1.0" });
    expect(await client.whoami()).toEqual({ name: "admin", scope: "write" });
  });

  it("throws ApiError with the problem's code and detail for a 404 and a 409", async () => {
    const missing = await client.get("ghost").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, code: "not_found", detail: "experiment 'ghost' not found" });

    await client.define("client_e2e_409", { variants: FIFTY });
    await client.archive("client_e2e_409");
    const again = await client.archive("client_e2e_409").catch((e: unknown) => e);
    expect(again).toMatchObject({ status: 409, code: "archived", detail: "experiment 'client_e2e_409' is archived" });
  });

  it("carries an invalid_request's field errors", async () => {
    const body = { variants: [{ name: "control", weight: "ten" }] } as unknown as { variants: typeof FIFTY };
    const error = await client.define("client_e2e_400", body).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 400,
      code: "invalid_request",
      errors: [{ pointer: "/variants/0/weight", detail: "must be a number" }],
    });
  });

  it("refuses admin calls without the token as unauthorized, and sends none to public routes", async () => {
    const anonymous = new ExperimentsClient({ baseUrl: dev.url });
    await expect(anonymous.list()).rejects.toMatchObject({ status: 401, code: "unauthorized" });
    await expect(anonymous.assign("ghost", { actor: "user:1" })).rejects.toMatchObject({ code: "not_found" });
  });

  it("lets request() see the debug headers of an answer", async () => {
    const response = await client.request("assign", { params: { experiment: "ghost" }, query: { actor: "u" } });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-edge-calls")).toMatch(/kv=\d+, actor=0, registry=0/);
  });

  it("records an X-Admin-Actor outside Latin-1 and ASCII exactly, as curl's UTF-8 bytes would be", async () => {
    const name = "client_e2e_utf8";
    for (const adminActor of ["José", "ops 😀"]) {
      await new ExperimentsClient({ baseUrl: dev.url, token: TOKEN, adminActor }).define(name, { variants: FIFTY });
    }
    const { history } = await client.history(name, { limit: 0 });
    expect(history.map((r) => r.actor)).toEqual(["admin/ops 😀", "admin/José"]);
  });

  it("refuses the actors '.' and '..' for the admin routes before sending, leaving the experiment as it was", async () => {
    const name = "client_e2e_dots";
    await client.define(name, { variants: FIFTY });
    const before = await client.history(name, { limit: 0 });
    for (const actor of [".", ".."]) {
      await expect(client.setOverride(name, actor, "control")).rejects.toBeInstanceOf(InputError);
      await expect(client.removeOverride(name, actor)).rejects.toBeInstanceOf(InputError);
      await expect(client.assignment(name, actor)).rejects.toBeInstanceOf(InputError);
    }
    expect(await client.history(name, { limit: 0 })).toEqual(before);
    expect(await client.overrides(name)).toEqual({ overrides: [] });
    // They are valid actor ids for assignment, which carries them in the query.
    await client.start(name);
    const assigned = await eventually(() => client.assign(name, { actor: ".." }));
    expect(assigned).toMatchObject({ experiment: name, actor: "..", is_override: false });
  });

  it("throws NetworkError when nothing listens at the URL", async () => {
    const nowhere = new ExperimentsClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, token: TOKEN });
    await expect(nowhere.list()).rejects.toBeInstanceOf(NetworkError);
  });
});
