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
//   ("population" for how it is split: layers and holdouts): the same scenario and more.
//   Format 1 gained the configs' optional `layer` and `holdout` and the snapshot's
//   optional `holdouts`, each written only when set (a config or a snapshot without
//   them is written byte for byte as before); the registry gained migration 3, the
//   tables `holdouts` and `holdout_history`. Added: a holdout with a description and
//   metrics, replaced once while its member ran (two history entries); a running
//   experiment joining it; a running experiment in a layer and a draft in the other
//   half of that layer. The expected file adds what the admin API showed for the
//   holdouts: the list (with members) and each one's history;
// - snapshot-v1-unattended.json, registry-rows-v4.json, expected-v1-unattended.json
//   ("unattended" for what runs without an operator: schedules, the
//   automatic stop, webhooks): the population scenario and more. Format 1 gained the
//   configs' optional `schedule` ({start_at_secs, conclude_at_secs, winner}, nulls
//   inside) and `auto_stop` (`true`), each written only when set; the registry gained
//   migration 4, the tables `webhooks` (name, webhook JSON, secret), `webhook_outbox`
//   and `webhook_delivered`. Added, after the population scenario and before its last
//   change: two webhooks, `audit_log` (every event type, to a receiver this script
//   runs on loopback, http:// with WEBHOOK_ALLOW_HTTP=1, answering 204) and `launches`
//   (a few types, to an https:// URL under .invalid that nothing answers; replaced
//   once, then its secret rotated once); then a draft scheduled to start and conclude
//   in 2100 with `auto_stop`, and a running experiment with only its conclusion
//   scheduled. Every change after the webhooks is a delivery: `audit_log`'s are
//   answered, so `webhook_delivered` holds their ids (the script waits for them and
//   checks the rows against what the receiver got); `launches`'s fail and are retried.
//   The outbox is emptied by the registry's alarm as soon as it hands the deliveries to
//   the queue, so the rows usually catch it empty. The `secret` column is random. The
//   expected file adds GET /v1/admin/webhooks (no secrets) and, as `received`, what the
//   receiver got ({webhook, id, type, timestamp, data}: the webhook from the path, the
//   id from `webhook-id`, the rest the body), in arrival order, once per id;
// - snapshot-v1-erasures.json, registry-rows-v5.json, expected-v1-erasures.json (this
//   version's): the unattended scenario and an erased actor. Format 1 gained the
//   snapshot's optional `erasures` (`[[erasure key, erased_at_secs]]`, the key SHA-256
//   based, src/core/erasure.ts), written only when not empty; the registry gained
//   migration 5, the table `erasures` (key, erased_at_secs). Added: before the webhooks
//   (so that no delivery names it), the actor `customer:erin-4711` gets an override in
//   `home_feed` (running: in the snapshot and the history), and one in `checkout_v2`
//   that is removed again; after `cart_reminder` starts, it is assigned in
//   `checkout_v2` and `cart_reminder`; then it is erased (DELETE /v1/admin/actors/
//   {actor}, X-Admin-Actor `dpo@example.com`) before the last change. The registry then
//   holds an `erasures` row under its key, no override of it, its earlier history
//   entries redacted (`override=(erased):ranked`, `override_removed=(erased)`) and an
//   `erased` entry (actor `admin/dpo@example.com`) in each of the three experiments,
//   each of which `audit_log` receives as `experiment.updated`; the snapshot holds the
//   erasure and no longer the override. The script checks the history and overrides
//   before the erasure name the actor, and that after it nothing written does: its id
//   appears nowhere in the three files (the tests know it; erasureKey gives its key).
//   The expected file is what the API showed after the erasure.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
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
// This version's files (see above): the older sets have no erasure, in the snapshot or a table.
const SNAPSHOT_FILE = `${OUT}/snapshot-v1-erasures.json`;
const ROWS_FILE = `${OUT}/registry-rows-v5.json`;
const EXPECTED_FILE = `${OUT}/expected-v1-erasures.json`;
/** The registry's tables (migration 5) in primary-key order. */
const TABLES = {
  experiments: "name",
  history: "seq",
  overrides: "experiment, actor",
  revisions: "experiment, revision",
  holdouts: "name",
  holdout_history: "seq",
  webhooks: "name",
  webhook_outbox: "seq",
  webhook_delivered: "id",
  erasures: "key",
  publish_state: "id",
};
/** 2100-01-01 and 2100-02-01, UTC: far enough that no alarm fires them while anything reads these files. */
const START_AT_SECS = 4_102_444_800;
const CONCLUDE_AT_SECS = 4_105_123_200;
/** Where `launches` posts: a reserved name (RFC 2606) that never resolves, so its deliveries fail and are retried. */
const UNANSWERED_URL = "https://hooks.example.invalid/edge-experiments/launches";
/** The actor erased: the tests know its id, and find it in none of the files. */
const ERASED_ACTOR = "customer:erin-4711";
/** The experiments it is assigned in, and the one its override stays in until the erasure. */
const ASSIGNED_IN = ["checkout_v2", "cart_reminder"];
const OVERRIDDEN_IN = "home_feed";
/** Who erases it (X-Admin-Actor): the history records `admin/<this>`. */
const ERASED_BY = "dpo@example.com";

for (const file of [SNAPSHOT_FILE, ROWS_FILE, EXPECTED_FILE]) {
  if (existsSync(file) && !process.argv.includes("--overwrite")) {
    throw new Error(`${file} exists: committed fixtures are never rewritten (--overwrite to replace them anyway)`);
  }
}
Object.assign(process.env, SCRIPTED_WRANGLER_ENV);

const { ExperimentsClient } = await import(await bundleForNode("src/client/index.ts", ".bench/client.mjs"));
const { erasureKey } = await import(await bundleForNode("src/core/erasure.ts", ".bench/erasure.mjs"));
// The receiver of `audit_log`: answers every delivery 204, and keeps each one once (the
// queue may deliver a message again), in arrival order.
const received = [];
const receiver = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => {
    body += chunk;
  });
  request.on("end", () => {
    response.writeHead(204).end();
    const id = String(request.headers["webhook-id"]);
    if (received.some((r) => r.id === id)) return;
    const { type, timestamp, data } = JSON.parse(body);
    received.push({ webhook: request.url.split("/").at(-1), id, type, timestamp, data });
  });
});
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/hooks/audit_log`;
const persistTo = mkdtempSync(join(tmpdir(), "edge-experiments-fixtures-"));
const dev = await startWranglerDev({
  token: TOKEN,
  persistTo,
  vars: { CONFIG_CACHE_TTL_MS: "0", WEBHOOK_ALLOW_HTTP: "1" },
  quiet: true,
});
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
  "spring_sale",
  "cart_reminder",
  "search_ranking",
];
const holdoutNames = ["global_holdout"];
/** The secrets the API answered, to check the rows against (never written to the expected file). */
const secrets = {};
/** A route of the client's table, its success body or its error thrown (the client has no holdout or webhook methods). */
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

  // The actor to be erased, before the webhooks (an override is a delivery, which
  // would name it): an override in a running experiment, which the snapshot carries,
  // and one set and removed in another.
  await api.setOverride(OVERRIDDEN_IN, ERASED_ACTOR, "ranked");
  await api.setOverride("checkout_v2", ERASED_ACTOR, "treatment");
  await api.removeOverride("checkout_v2", ERASED_ACTOR);

  // Two webhooks before the changes below, each of which is a delivery. `audit_log`
  // takes every event type (no `events`), answered by the receiver above.
  const auditLog = await send("defineWebhook", { params: { name: "audit_log" }, body: { url: receiverUrl } });
  secrets.audit_log = auditLog.secret;
  // `launches` takes a few, at a URL nothing answers; replaced a second later (the same
  // secret, updated_at_secs after created_at_secs), then its secret rotated.
  const launches = await send("defineWebhook", {
    params: { name: "launches" },
    body: { url: UNANSWERED_URL, events: ["experiment.started", "experiment.concluded"] },
  });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const replaced = await send("defineWebhook", {
    params: { name: "launches" },
    body: { url: UNANSWERED_URL, events: ["experiment.started", "experiment.concluded", "experiment.archived"] },
  });
  if ("secret" in replaced) throw new Error("replacing a webhook answered a secret");
  const rotated = await send("rotateWebhook", { params: { name: "launches" } });
  if (rotated.secret === launches.secret) throw new Error("the rotation kept the secret");
  secrets.launches = rotated.secret;

  // A draft scheduled to start and to conclude on a winner, with the automatic stop on
  // (and a guardrail for it to watch).
  await api.define("spring_sale", {
    variants: [
      { name: "full_price", weight: 1 },
      { name: "discount", weight: 1 },
    ],
    description: "Spring discount, run unattended",
    metrics: [
      { name: "purchase", kind: "conversion" },
      { name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" },
    ],
    schedule: { start_at_secs: START_AT_SECS, conclude_at_secs: CONCLUDE_AT_SECS, winner: "discount" },
    auto_stop: true,
  });
  // Running, with only its conclusion scheduled (start_at_secs null): a manual start
  // cancels only a scheduled start, so the conclusion stays.
  await api.define("cart_reminder", {
    variants: [
      { name: "none", weight: 1 },
      { name: "reminder", weight: 1 },
    ],
    schedule: { conclude_at_secs: CONCLUDE_AT_SECS, winner: "reminder" },
  });
  await api.start("cart_reminder");

  // The actor assigned in two experiments (its object holds the assignments), then
  // erased. Before: its override and the history entries that name it; after: neither.
  for (const name of ASSIGNED_IN) {
    const assigned = await api.assign(name, { actor: ERASED_ACTOR });
    if (assigned.is_override || typeof assigned.variant !== "string") {
      throw new Error(`${ERASED_ACTOR} was not assigned in ${name}: ${JSON.stringify(assigned)}`);
    }
  }
  const overridesBefore = (await api.overrides(OVERRIDDEN_IN)).overrides;
  if (!overridesBefore.some((o) => o.actor === ERASED_ACTOR)) throw new Error(`no override of ${ERASED_ACTOR}`);
  for (const name of [OVERRIDDEN_IN, "checkout_v2"]) {
    const { history } = await api.history(name, { limit: 0 });
    if (!JSON.stringify(history).includes(ERASED_ACTOR)) throw new Error(`the history of ${name} does not name it`);
  }
  await send("eraseActor", { params: { actor: ERASED_ACTOR }, headers: { "x-admin-actor": ERASED_BY } });

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
  const { webhooks } = await send("listWebhooks", {});

  // Every change since `audit_log` was created, answered: wait for the receiver to have
  // them all, then a moment for the registry to record the last as delivered.
  const changes = [
    ["spring_sale", "experiment.created"],
    ["cart_reminder", "experiment.created"],
    ["cart_reminder", "experiment.started"],
    // `erased`, in each experiment the actor was in.
    ["cart_reminder", "experiment.updated"],
    ["checkout_v2", "experiment.updated"],
    ["home_feed", "experiment.updated"],
    ["search_ranking", "experiment.created"],
    ["search_ranking", "experiment.archived"],
  ];
  if (!(await eventually(() => received.length >= changes.length, 60_000))) {
    throw new Error(`audit_log received ${received.length} of ${changes.length} deliveries`);
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const got = received.map((r) => [r.data.experiment.name, r.type]);
  if (JSON.stringify([...got].sort()) !== JSON.stringify([...changes].sort())) {
    throw new Error(`audit_log received ${JSON.stringify(got)}`);
  }
  expected = { experiments, history, overrides, holdouts, holdoutHistory, webhooks, received };
} finally {
  await dev.stop();
  receiver.close();
}

try {
  const rows = readRegistryRows();
  checkWebhookRows(rows.tables);
  const snapshot = await readSnapshot();
  await checkErased(rows, snapshot, expected);
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

/**
 * The webhook rows hold what the API answered: each subscription's current secret, and
 * as delivered exactly the ids `audit_log`'s receiver answered (`launches` answers none).
 */
function checkWebhookRows(tables) {
  for (const { name, secret } of tables.webhooks) {
    if (secret !== secrets[name]) throw new Error(`the row of webhook ${name} does not hold its current secret`);
  }
  const delivered = tables.webhook_delivered.map((row) => row.id).sort();
  const answered = received.map((r) => r.id).sort();
  if (JSON.stringify(delivered) !== JSON.stringify(answered)) {
    throw new Error(`webhook_delivered holds ${delivered.join(", ")}; the receiver answered ${answered.join(", ")}`);
  }
}

/**
 * The erasure as written: one `erasures` row under the actor's key, which the snapshot
 * publishes; `erased` with the admin actor in each experiment it was in, its earlier
 * entries redacted; and its id in none of what is written.
 */
async function checkErased(rows, snapshot, expected) {
  const key = await erasureKey(ERASED_ACTOR);
  const { erasures } = rows.tables;
  if (erasures.length !== 1 || erasures[0].key !== key) {
    throw new Error(`the erasures rows are ${JSON.stringify(erasures)}, not one under ${key}`);
  }
  const published = JSON.parse(snapshot).erasures;
  if (JSON.stringify(published) !== JSON.stringify([[key, erasures[0].erased_at_secs]])) {
    throw new Error(`the snapshot's erasures are ${JSON.stringify(published)}`);
  }
  for (const name of [...ASSIGNED_IN, OVERRIDDEN_IN]) {
    const [latest] = expected.history[name];
    if (latest?.mutation !== "erased" || latest.actor !== `admin/${ERASED_BY}`) {
      throw new Error(`the history of ${name} begins ${JSON.stringify(latest)}, not erased by ${ERASED_BY}`);
    }
  }
  const mutations = Object.values(expected.history).flatMap((history) => history.map((r) => r.mutation));
  for (const redacted of ["override=(erased):ranked", "override=(erased):treatment", "override_removed=(erased)"]) {
    if (!mutations.includes(redacted)) throw new Error(`no history entry ${redacted}`);
  }
  for (const [file, text] of [
    [SNAPSHOT_FILE, snapshot],
    [ROWS_FILE, JSON.stringify(rows)],
    [EXPECTED_FILE, JSON.stringify(expected)],
  ]) {
    if (text.includes(ERASED_ACTOR)) throw new Error(`${file} names the erased actor`);
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
