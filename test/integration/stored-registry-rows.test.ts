// The registry's rows written by an earlier version (test/fixtures/stored, written by
// scripts/stored-fixtures.mjs and never rewritten) stay readable: put into a registry
// object's SQLite at the migration that wrote them, brought up to date by every later
// migration, and read through the object itself and through the admin API.
import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ERASURE_MEMORY_SECS } from "../../src/core";
import type { Env } from "../../src/edge/env";
import { createApp } from "../../src/edge/http/app";
import { migrate } from "../../src/edge/objects/migrate";
import { REGISTRY_MIGRATIONS } from "../../src/edge/objects/registry/migrations";
import { FORMAT_1_FIXTURES, type RegistryRows } from "../fixtures/stored/fixtures";
import { TOKEN } from "./helpers";

/** The format of a webhook secret: its value is random, so nothing else is compared. */
const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]{32}$/;

/** A registry of its own per fixture: not the one the Worker's routes use. */
const registryName = (rowsFile: string) => `stored-${rowsFile}`;
const registryOf = (rowsFile: string) => () => env.REGISTRY.get(env.REGISTRY.idFromName(registryName(rowsFile)));

/**
 * The admin API's GET answers, from a Worker whose registry (`idFromName("registry")`)
 * is the fixture's own: the shared one, which other tests write to, is left alone.
 */
function adminApiOf(rowsFile: string) {
  const app = createApp();
  const REGISTRY = new Proxy(env.REGISTRY, {
    get(target, prop) {
      if (prop === "idFromName") {
        return (name: string) => target.idFromName(name === "registry" ? registryName(rowsFile) : name);
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const edgeEnv: Env = { ...env, REGISTRY };
  return async <T>(path: string): Promise<T> => {
    const request = new Request(`https://edge.test/v1/admin${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const response = await app.fetch(request, edgeEnv, createExecutionContext());
    const text = await response.text();
    expect(response.status, text).toBe(200);
    // No read shows a webhook's secret.
    expect(text).not.toMatch(/whsec_|"secret"/);
    return JSON.parse(text) as T;
  };
}

/**
 * Replaces the object's tables with the fixture's rows, at the migration that wrote
 * them, then runs the migrations that came after.
 */
async function restoreRows(registry: ReturnType<typeof env.REGISTRY.get>, written: RegistryRows): Promise<void> {
  await runInDurableObject(registry, (_, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' AND substr(name, 1, 4) <> '_cf_'",
      )
      .toArray();
    for (const { name } of tables) sql.exec(`DROP TABLE "${name}"`);
    const migrations = new Set(written.migrations.map((m) => m.id));
    migrate(
      state.storage,
      REGISTRY_MIGRATIONS.filter((m) => migrations.has(m.id)),
    );
    state.storage.transactionSync(() => {
      sql.exec("DELETE FROM publish_state");
      for (const [table, rows] of Object.entries(written.tables)) {
        for (const row of rows as Record<string, SqlStorageValue>[]) {
          const columns = Object.keys(row);
          sql.exec(
            `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
            ...Object.values(row),
          );
        }
      }
    });
    migrate(state.storage, REGISTRY_MIGRATIONS);
  });
}

/**
 * Runs the registry's alarm at `nowMs` (when the fixture was published: an erasure is
 * published for `ERASURE_MEMORY_SECS`, then forgotten), and returns what it put to KV.
 */
async function publishAt(registry: ReturnType<typeof env.REGISTRY.get>, nowMs: number): Promise<[string, string][]> {
  vi.spyOn(Date, "now").mockReturnValue(nowMs);
  return runInDurableObject(registry, async (instance, state) => {
    state.storage.sql.exec("UPDATE publish_state SET published_version = 0, published_at_ms = 0");
    const puts: [string, string][] = [];
    const realEnv = Reflect.get(instance, "env");
    Reflect.set(instance, "env", {
      ...realEnv,
      CONFIG: { put: async (key: string, text: string) => void puts.push([key, text]) },
    });
    try {
      await instance.alarm();
    } finally {
      Reflect.set(instance, "env", realEnv);
    }
    return puts;
  });
}

afterEach(() => vi.restoreAllMocks());

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(`the registry refused: ${JSON.stringify(settled.error)}`);
  return settled.value;
}

describe.each(FORMAT_1_FIXTURES)("registry rows written $written ($rowsFile)", (fixture) => {
  const { expected } = fixture;
  const names = expected.experiments.map((c) => c.name);
  const registry = registryOf(fixture.rowsFile);
  const adminApi = adminApiOf(fixture.rowsFile);
  beforeAll(() => restoreRows(registry(), fixture.rows));

  it(`are of the migrations ${fixture.rows.migrations.map((m) => m.id).join(", ")}, and then of every later one`, async () => {
    const applied = await runInDurableObject(registry(), (_, state) =>
      state.storage.sql.exec<{ id: number }>("SELECT id FROM _migrations ORDER BY id").toArray(),
    );
    expect(applied.map((m) => m.id)).toEqual(REGISTRY_MIGRATIONS.map((m) => m.id));
  });

  it("list and show every config as the admin API showed it when they were written", async () => {
    expect(await value(registry().list())).toEqual(expected.experiments);
    for (const config of expected.experiments) expect(await value(registry().status(config.name))).toEqual(config);
  });

  it("keep every holdout, with the experiments that name it, and each one's history", async () => {
    expect(await value(registry().holdouts())).toEqual(expected.holdouts);
    for (const { members: _, ...holdout } of expected.holdouts) {
      expect(await value(registry().holdout(holdout.name))).toEqual(holdout);
    }
    for (const [name, history] of Object.entries(expected.holdoutHistory)) {
      expect(await value(registry().holdoutHistory(name, 0))).toEqual(history);
    }
  });

  it("show the configs and holdouts through the admin API as it showed them when they were written", async () => {
    expect(await adminApi("/experiments")).toEqual({ experiments: expected.experiments });
    expect(await adminApi("/holdouts")).toEqual({ holdouts: expected.holdouts });
    for (const { members: _, ...holdout } of expected.holdouts) {
      expect(await adminApi(`/holdouts/${holdout.name}`)).toEqual(holdout);
    }
    for (const [name, history] of Object.entries(expected.holdoutHistory)) {
      expect(await adminApi(`/holdouts/${name}/history?limit=0`)).toEqual({ history });
    }
  });

  it("keep every webhook, shown through the admin API without its secret", async () => {
    expect(await value(registry().webhooks())).toEqual(expected.webhooks);
    expect(await adminApi("/webhooks")).toEqual({ webhooks: expected.webhooks });
  });

  it("keep each webhook's secret to sign with, and never send again what a receiver answered", async () => {
    for (const webhook of expected.webhooks) {
      const target = await value(registry().webhookTarget(webhook.name, "msg_never-sent"));
      expect(target).toEqual({ url: webhook.url, secret: expect.stringMatching(SECRET_FORMAT), delivered: false });
    }
    for (const { webhook, id } of expected.received) {
      expect(await value(registry().webhookTarget(webhook, id))).toMatchObject({ delivered: true });
    }
    expect(await value(registry().webhookTarget("no_such_webhook", "msg_never-sent"))).toBeNull();
  });

  it("keep each experiment's history and overrides", async () => {
    for (const name of names) {
      expect(await value(registry().history(name, 0))).toEqual(expected.history[name]);
      expect(await value(registry().overrides(name))).toEqual(expected.overrides[name]);
    }
  });

  it("keep the variants of every revision, for the sample-ratio check", async () => {
    const { revisions } = await value(registry().revisions("checkout_v2"));
    expect(revisions).toEqual([
      {
        revision: 1,
        variants: [
          { name: "control", weight: 50 },
          { name: "treatment", weight: 50 },
        ],
      },
      {
        revision: 2,
        variants: [
          { name: "control", weight: 30 },
          { name: "treatment", weight: 70 },
        ],
      },
    ]);
  });

  it("keep the variants that may have sticky assignments: dropping one is still refused", async () => {
    const result = await registry().setWeights("checkout_v2", [{ name: "control", weight: 1 }], "test");
    expect(result).toMatchObject({ ok: false, error: { code: "variant_in_use" } });
  });

  it(`publish the format-1 snapshot that was published from them (${fixture.snapshotFile}), erasures included`, async () => {
    const publishedAtMs = fixture.rows.tables.publish_state[0]?.published_at_ms ?? 0;
    const published = await publishAt(registry(), publishedAtMs);
    expect(published).toHaveLength(1);
    const snapshot = JSON.parse(published[0]?.[1] ?? "null");
    expect(snapshot).toEqual(JSON.parse(fixture.snapshot));
    const erasures = "erasures" in fixture.rows.tables ? fixture.rows.tables.erasures : [];
    expect(snapshot.erasures ?? []).toEqual(erasures.map((row) => [row.key, row.erased_at_secs]));
  });

  // Last: it forgets what the fixture holds.
  it.runIf("erasures" in fixture.rows.tables)(
    "forget an erasure once the edge need no longer be told of it (ERASURE_MEMORY_SECS after it), in the snapshot and the rows",
    async () => {
      const erasures = "erasures" in fixture.rows.tables ? fixture.rows.tables.erasures : [];
      expect(erasures).toHaveLength(1);
      const erasedAtSecs = erasures[0]?.erased_at_secs ?? 0;
      const published = await publishAt(registry(), (erasedAtSecs + ERASURE_MEMORY_SECS + 1) * 1000);
      const snapshot = JSON.parse(published[0]?.[1] ?? "null");
      expect("erasures" in snapshot).toBe(false);
      expect({ ...snapshot, erasures: JSON.parse(fixture.snapshot).erasures }).toEqual(JSON.parse(fixture.snapshot));
      const left = await runInDurableObject(registry(), (_, state) =>
        state.storage.sql.exec("SELECT * FROM erasures").toArray(),
      );
      expect(left).toEqual([]);
    },
  );
});
