// The registry's rows written by an earlier version (test/fixtures/stored, written by
// scripts/stored-fixtures.mjs and never rewritten) stay readable: put into a registry
// object's SQLite at the migration that wrote them, brought up to date by every later
// migration, and read through the object itself.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/edge/objects/migrate";
import { REGISTRY_MIGRATIONS } from "../../src/edge/objects/registry/migrations";
import { FORMAT_1_FIXTURES, type RegistryRowsV2 } from "../fixtures/stored/fixtures";

/** A registry of its own per fixture: not the one the Worker's routes use. */
const registryOf = (rowsFile: string) => () => env.REGISTRY.get(env.REGISTRY.idFromName(`stored-${rowsFile}`));

/**
 * Replaces the object's tables with the fixture's rows, at the migration that wrote
 * them, then runs the migrations that came after.
 */
async function restoreRowsV2(registry: ReturnType<typeof env.REGISTRY.get>, rowsV2: RegistryRowsV2): Promise<void> {
  await runInDurableObject(registry, (_, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' AND substr(name, 1, 4) <> '_cf_'",
      )
      .toArray();
    for (const { name } of tables) sql.exec(`DROP TABLE "${name}"`);
    const written = new Set(rowsV2.migrations.map((m) => m.id));
    migrate(
      state.storage,
      REGISTRY_MIGRATIONS.filter((m) => written.has(m.id)),
    );
    state.storage.transactionSync(() => {
      sql.exec("DELETE FROM publish_state");
      for (const [table, rows] of Object.entries(rowsV2.tables)) {
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

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(`the registry refused: ${JSON.stringify(settled.error)}`);
  return settled.value;
}

describe.each(FORMAT_1_FIXTURES)("registry rows of migration 2 written $written ($rowsFile)", (fixture) => {
  const { expected } = fixture;
  const names = expected.experiments.map((c) => c.name);
  const registry = registryOf(fixture.rowsFile);
  beforeAll(() => restoreRowsV2(registry(), fixture.rows));

  it("list and show every config as the admin API showed it when they were written", async () => {
    expect(await value(registry().list())).toEqual(expected.experiments);
    for (const config of expected.experiments) expect(await value(registry().status(config.name))).toEqual(config);
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

  it(`publish the format-1 snapshot that was published from them (${fixture.snapshotFile})`, async () => {
    const published = await runInDurableObject(registry(), async (instance, state) => {
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
    expect(published).toHaveLength(1);
    expect(JSON.parse(published[0]?.[1] ?? "null")).toEqual(JSON.parse(fixture.snapshot));
  });
});
