// `node scripts/stored-fixtures.mjs` (Node >= 22.13, for node:sqlite; `npx node` is the
// project's Node 24): writes test/fixtures/stored/, the stored formats of this version
// as the real Worker writes them. It drives `wrangler dev --persist-to` through the
// admin API, stops it, and reads back the registry's SQLite rows (SELECT *, from the
// object's database file) and the KV snapshot (through wrangler's getPlatformProxy).
//
// Run it only for a new stored format, into new files: the committed fixtures are
// what a Worker must read forever (test/unit/stored-formats.test.ts), never rewritten.
//
// The sets so far, each written by the version of this script of its time (git log):
// - snapshot-v1.json, registry-rows-v2.json, expected-v1.json: format 1 and the rows of
//   migration 2 before metrics existed;
// - *-v1-metrics.json, registry-rows-v2-metrics.json: the same scenario with metrics on
//   two experiments (an optional field of format 1 and of the `config` column);
// - snapshot-v1-population.json, registry-rows-v3.json, expected-v1-population.json
//   (this version's, "population" for how it is split: layers and holdouts): the same
//   scenario and more. Format 1 gained the configs' optional `layer` and `holdout` and
//   the snapshot's optional `holdouts`, each written only when set (a config or a
//   snapshot without them is written byte for byte as before); the registry gained
//   migration 3, the tables `holdouts` and `holdout_history`. Added: a holdout with a
//   description and metrics, replaced once while its member ran (two history entries);
//   a running experiment joining it; a running experiment in a layer and a draft in
//   the other half of that layer. The expected file adds what the admin API showed for
//   the holdouts: the list (with members) and each one's history.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { getPlatformProxy } from "wrangler";
import { bundleForNode } from "./lib/bundle.mjs";
import { eventually } from "./lib/client.mjs";
import { SCRIPTED_WRANGLER_ENV, startWranglerDev } from "./lib/wrangler-dev.mjs";

const TOKEN = "fixture-admin-token";
const SNAPSHOT_KEY = "config-snapshot:v1";
const OUT = "test/fixtures/stored";
// This version's files (see above): the older sets have no layer, holdout or holdout table.
const SNAPSHOT_FILE = `${OUT}/snapshot-v1-population.json`;
const ROWS_FILE = `${OUT}/registry-rows-v3.json`;
const EXPECTED_FILE = `${OUT}/expected-v1-population.json`;
/** The registry's tables (migration 3) in primary-key order. */
const TABLES = {
  experiments: "name",
  history: "seq",
  overrides: "experiment, actor",
  revisions: "experiment, revision",
  holdouts: "name",
  holdout_history: "seq",
  publish_state: "id",
};

for (const file of [SNAPSHOT_FILE, ROWS_FILE, EXPECTED_FILE]) {
  if (existsSync(file) && !process.argv.includes("--overwrite")) {
    throw new Error(`${file} exists: committed fixtures are never rewritten (--overwrite to replace them anyway)`);
  }
}
Object.assign(process.env, SCRIPTED_WRANGLER_ENV);

const { ExperimentsClient } = await import(await bundleForNode("src/client/index.ts", ".bench/client.mjs"));
const persistTo = mkdtempSync(join(tmpdir(), "edge-experiments-fixtures-"));
const dev = await startWranglerDev({ token: TOKEN, persistTo, vars: { CONFIG_CACHE_TTL_MS: "0" }, quiet: true });
const api = new ExperimentsClient({ baseUrl: dev.url, token: TOKEN, adminActor: "ops@example.com", retry: false });

const names = [
  "checkout_v2",
  "pricing_page",
  "pricing_banner",
  "onboarding",
  "old_hero",
  "home_feed",
  "results_grid",
  "results_list",
  "search_ranking",
];
const holdoutNames = ["global_holdout"];
/** A route of the client's table, its success body or its error thrown (the client has no holdout methods). */
const send = async (route, input) => {
  const response = await api.request(route, input);
  if (!response.ok) throw response.error;
  return response.body;
};
let expected;
try {
  // Running, hash version 1, a description, weights changed once (revision 2), overrides.
  await api.define("checkout_v2", {
    variants: [
      { name: "control", weight: 50 },
      { name: "treatment", weight: 50 },
    ],
    description: "New checkout flow",
  });
  await api.start("checkout_v2");
  await api.setWeights("checkout_v2", [
    { name: "control", weight: 30 },
    { name: "treatment", weight: 70 },
  ]);
  // Metrics changed while running: a definition PUT, recorded as `updated`.
  await api.define("checkout_v2", {
    variants: [
      { name: "control", weight: 30 },
      { name: "treatment", weight: 70 },
    ],
    description: "New checkout flow",
    metrics: [
      { name: "purchase", kind: "conversion" },
      { name: "revenue", event: "purchase_value", kind: "sum" },
      { name: "page_load_ms", kind: "sum", direction: "decrease", role: "guardrail" },
    ],
  });
  await api.setOverride("checkout_v2", "qa:1", "control");
  await api.setOverride("checkout_v2", "qa:2", "treatment");

  // Running, hash version 2, every kind of targeting condition, partial coverage, a group.
  await api.define("pricing_page", {
    variants: [
      { name: "monthly", weight: 1 },
      { name: "annual", weight: 1 },
    ],
    description: "Annual plan first — «tarifs» for EU visitors",
    exclusion_group: "pricing",
    hash_version: 2,
    coverage: 2500,
    targeting: [
      { attribute: "country", operator: "in", values: ["DE", "FR"] },
      { attribute: "plan", operator: "not_in", values: ["enterprise"], case_insensitive: true },
      { attribute: "email", operator: "ends_with", values: ["@example.com"], case_insensitive: true },
      { attribute: "app_version", operator: "semver_gt", values: ["2.0.0"] },
      { attribute: "age", operator: "num_gte", values: ["18"] },
      { attribute: "beta", operator: "exists", values: [] },
    ],
    metrics: [{ name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" }],
  });
  await api.start("pricing_page");
  await api.setCoverage("pricing_page", 5000);
  await api.setOverride("pricing_page", "staff:ana", "annual");

  // A draft that never ran, in the same group, three variants, one at weight 0, no description.
  await api.define("pricing_banner", {
    variants: [
      { name: "none", weight: 0 },
      { name: "top", weight: 2 },
      { name: "bottom", weight: 1 },
    ],
    exclusion_group: "pricing",
  });

  // Concluded with a winner; its override stays in the registry, not in the snapshot.
  await api.define("onboarding", {
    variants: [
      { name: "control", weight: 50 },
      { name: "treatment", weight: 50 },
    ],
    description: "Shorter sign-up",
  });
  await api.start("onboarding");
  await api.setOverride("onboarding", "qa:1", "treatment");
  await api.conclude("onboarding", "treatment");

  // Ran, then archived.
  await api.define("old_hero", {
    variants: [
      { name: "a", weight: 1 },
      { name: "b", weight: 1 },
    ],
  });
  await api.start("old_hero");
  await api.archive("old_hero");

  // A holdout with a description and metrics (defaults filled in for one), then, once
  // its member runs and a second later (updated_at_secs after created_at_secs), its
  // description and metrics replaced at the same coverage: `created`, then `updated`.
  const globalHoldout = {
    coverage: 1000,
    description: "Kept back from every 2026 launch",
    metrics: [{ name: "purchase", kind: "conversion" }],
  };
  await send("defineHoldout", { params: { name: "global_holdout" }, body: globalHoldout });
  // Running, a member of the holdout.
  await api.define("home_feed", {
    variants: [
      { name: "chronological", weight: 1 },
      { name: "ranked", weight: 1 },
    ],
    description: "Ranked home feed",
    holdout: "global_holdout",
  });
  await api.start("home_feed");
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await send("defineHoldout", {
    params: { name: "global_holdout" },
    body: {
      ...globalHoldout,
      description: "Kept back from every 2026 launch — «témoin»",
      metrics: [
        ...globalHoldout.metrics,
        { name: "revenue", event: "purchase_value", kind: "sum", direction: "increase", role: "goal" },
      ],
    },
  });

  // Running, the first half of a layer, hash version 2.
  await api.define("results_grid", {
    variants: [
      { name: "list", weight: 1 },
      { name: "grid", weight: 1 },
    ],
    hash_version: 2,
    layer: { name: "search_results", range: [0, 5000] },
  });
  await api.start("results_grid");
  // A draft in the other half of the same layer.
  await api.define("results_list", {
    variants: [
      { name: "compact", weight: 1 },
      { name: "cards", weight: 1 },
    ],
    description: "Denser result rows",
    layer: { name: "search_results", range: [5000, 10000] },
  });

  // Archived without ever running, coverage 0: the last change, which the probe below waits for.
  await api.define("search_ranking", {
    variants: [{ name: "baseline", weight: 1 }],
    description: "",
    coverage: 0,
  });
  await api.archive("search_ranking");

  // Everything above is published once the last change is (the snapshot is one value).
  const published = await eventually(async () => {
    try {
      await api.assign("search_ranking", { actor: "probe" });
      return false;
    } catch (error) {
      return error.code === "archived";
    }
  });
  if (!published) throw new Error("the configs never reached KV");

  // What the admin API answered for this data when it was written: what it must decode to.
  const experiments = (await api.list()).experiments.filter((c) => names.includes(c.name));
  const history = {};
  const overrides = {};
  for (const name of names) {
    history[name] = (await api.history(name, { limit: 0 })).history;
    overrides[name] = (await api.overrides(name)).overrides;
  }
  const { holdouts } = await send("listHoldouts", {});
  const holdoutHistory = {};
  for (const name of holdoutNames) {
    holdoutHistory[name] = (await send("holdoutHistory", { params: { name }, query: { limit: 0 } })).history;
  }
  expected = { experiments, history, overrides, holdouts, holdoutHistory };
} finally {
  await dev.stop();
}

try {
  const rows = readRegistryRows();
  const snapshot = await readSnapshot();
  mkdirSync(OUT, { recursive: true });
  writeFileSync(SNAPSHOT_FILE, `${JSON.stringify(JSON.parse(snapshot), null, 2)}\n`);
  writeFileSync(ROWS_FILE, `${JSON.stringify(rows, null, 2)}\n`);
  writeFileSync(EXPECTED_FILE, `${JSON.stringify(expected, null, 2)}\n`);
  console.log(`wrote ${SNAPSHOT_FILE}, ${ROWS_FILE}, ${EXPECTED_FILE}`);
} finally {
  rmSync(persistTo, { recursive: true, force: true });
}

/** Every row of the registry's tables, as `SELECT *` returns them, with the migrations applied. */
function readRegistryRows() {
  const dir = join(persistTo, "v3", "do");
  const registryDir = readdirSync(dir).find((entry) => entry.endsWith("-RegistryObject"));
  if (registryDir === undefined) throw new Error(`no RegistryObject storage under ${dir}`);
  const files = readdirSync(join(dir, registryDir)).filter((file) => /^[0-9a-f]{64}\.sqlite$/.test(file));
  if (files.length !== 1) throw new Error(`expected one registry database, found ${files.join(", ")}`);
  const db = new DatabaseSync(join(dir, registryDir, files[0]), { readOnly: true });
  try {
    const migrations = db.prepare("SELECT id, description FROM _migrations ORDER BY id").all();
    const tables = Object.fromEntries(
      Object.entries(TABLES).map(([table, key]) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all()]),
    );
    return { migrations, tables: JSON.parse(JSON.stringify(tables)) };
  } finally {
    db.close();
  }
}

/** The snapshot's KV value, read from the persisted local KV. */
async function readSnapshot() {
  const proxy = await getPlatformProxy({
    configPath: "wrangler.toml",
    envFiles: [],
    persist: { path: join(persistTo, "v3") },
    remoteBindings: false,
  });
  try {
    const text = await proxy.env.CONFIG.get(SNAPSHOT_KEY, "text");
    if (text === null) throw new Error("no snapshot in KV");
    return text;
  } finally {
    await proxy.dispose();
  }
}
