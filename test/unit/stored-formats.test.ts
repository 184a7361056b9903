// What is stored decodes the same forever, whatever the API's wire schemas become. The
// fixtures under test/fixtures/stored were written by the real Worker
// (scripts/stored-fixtures.mjs) and are never rewritten: a Worker must read them as long
// as data of their format may exist. expected-v1*.json is what the admin API showed for
// that data when it was written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ExperimentConfig,
  erasureKey,
  type HoldoutConfig,
  holdoutKey,
  METRIC_DIRECTIONS,
  METRIC_KINDS,
  METRIC_ROLES,
  TARGETING_OPERATORS,
  WEBHOOK_EVENT_TYPES,
} from "../../src/core";
import { CompiledSnapshot, type ConfigSnapshot, encodeSnapshot, parseSnapshot } from "../../src/edge/config/snapshot";
import snapshotSource from "../../src/edge/config/snapshot.ts?raw";
import storedConfigSource from "../../src/edge/config/stored-config.ts?raw";
import { REGISTRY_MIGRATIONS } from "../../src/edge/objects/registry/migrations";
import {
  changeFromRow,
  configColumn,
  erasureFromRow,
  experimentFromRow,
  holdoutChangeFromRow,
  holdoutColumn,
  holdoutFromRow,
  REGISTRY_ROWS_VERSION,
  revisionFromRow,
  stickyVariantsColumn,
  variantsColumn,
  webhookColumn,
  webhookDeliveryFromRow,
  webhookFromRow,
} from "../../src/edge/objects/registry/rows";
import rowsSource from "../../src/edge/objects/registry/rows.ts?raw";
import {
  ERASED_ACTOR,
  ERASED_BY,
  FORMAT_1_FIXTURES,
  type Format1Fixture,
  NEWEST_FORMAT_1_FIXTURE,
  POPULATION_FORMAT_1_FIXTURE,
  type ReceivedDelivery,
  type RegistryRowsV3,
  type RegistryRowsV4,
  UNATTENDED_FORMAT_1_FIXTURE,
} from "../fixtures/stored/fixtures";

/** The registry's migrations each set's rows were written at. */
const MIGRATIONS_OF: Record<string, number[]> = {
  "registry-rows-v2.json": [1, 2],
  "registry-rows-v2-metrics.json": [1, 2],
  "registry-rows-v3.json": [1, 2, 3],
  "registry-rows-v4.json": [1, 2, 3, 4],
  "registry-rows-v5.json": [1, 2, 3, 4, 5],
};

/** The sets written since layers and holdouts: the same holdout scenario in each. */
const WITH_HOLDOUTS: Format1Fixture<RegistryRowsV3>[] = [
  POPULATION_FORMAT_1_FIXTURE,
  UNATTENDED_FORMAT_1_FIXTURE,
  NEWEST_FORMAT_1_FIXTURE,
];

/** The sets written since schedules, automatic stops and webhooks: the same unattended scenario in each. */
const WITH_WEBHOOKS: Format1Fixture<RegistryRowsV4>[] = [UNATTENDED_FORMAT_1_FIXTURE, NEWEST_FORMAT_1_FIXTURE];

/**
 * The running experiments of a set's scenario: the population set added a holdout's
 * member and a layer's first half, the unattended one (and the newest, which only erased
 * an actor) an experiment with its conclusion scheduled.
 */
const runningIn = (fixture: Format1Fixture) =>
  WITH_WEBHOOKS.includes(fixture as Format1Fixture<RegistryRowsV4>)
    ? ["cart_reminder", "checkout_v2", "home_feed", "pricing_page", "results_grid"]
    : fixture === POPULATION_FORMAT_1_FIXTURE
      ? ["checkout_v2", "home_feed", "pricing_page", "results_grid"]
      : ["checkout_v2", "pricing_page"];

/** The experiments the newest set's erased actor was in: assigned in two, an override in the third. */
const ERASED_FROM = ["cart_reminder", "checkout_v2", "home_feed"];

/** The format of a webhook secret: `whsec_` and the base64 of 24 bytes. Its value is random: nothing else is compared. */
const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]{32}$/;

/** A holdout as stored and published: what the API lists, without the experiments that name it. */
const withoutMembers = ({ members: _, ...holdout }: HoldoutConfig & { members: string[] }): HoldoutConfig => holdout;

/** The holdouts' tables of a set: none before migration 3. */
const holdoutTables = (fixture: Format1Fixture) =>
  "holdouts" in fixture.rows.tables ? fixture.rows.tables : { holdouts: [], holdout_history: [] };

/** The webhooks' tables of a set: none before migration 4. */
const webhookTables = (fixture: Format1Fixture) =>
  "webhooks" in fixture.rows.tables ? fixture.rows.tables : { webhooks: [], webhook_outbox: [], webhook_delivered: [] };

/** The erasures' table of a set: none before migration 5. */
const erasureRows = (fixture: Format1Fixture) =>
  "erasures" in fixture.rows.tables ? fixture.rows.tables.erasures : [];

describe.each(FORMAT_1_FIXTURES)("the format-1 KV snapshot written $written ($snapshotFile)", (fixture) => {
  const { expected } = fixture;

  it("decodes to every config and holdout as the admin API showed them, with the running experiments' overrides", () => {
    const snapshot = parseSnapshot(fixture.snapshot);
    expect(snapshot?.version).toBe(fixture.rows.tables.publish_state[0]?.version);
    expect(snapshot?.experiments).toEqual(expected.experiments);
    expect(snapshot?.holdouts).toEqual(expected.holdouts.map(withoutMembers));
    // The erasures of the rows (none before erasure existed), written only when there are some.
    expect(snapshot?.erasures).toEqual(erasureRows(fixture).map(erasureFromRow));
    expect("erasures" in JSON.parse(fixture.snapshot)).toBe(fixture === NEWEST_FORMAT_1_FIXTURE);
    const running = expected.experiments.filter((c) => c.state === "running").map((c) => c.name);
    expect(running).toEqual(runningIn(fixture));
    expect(snapshot?.overrides).toEqual(
      running.flatMap((name) => (expected.overrides[name] ?? []).map((o) => [name, o.actor, o.variant])),
    );
  });

  it("serves the edge: assignable experiments, exclusion groups and overrides", () => {
    const snapshot = parseSnapshot(fixture.snapshot);
    if (snapshot === null) throw new Error("the fixture does not parse");
    const compiled = new CompiledSnapshot(snapshot);
    expect(compiled.assignable).toEqual([...runningIn(fixture), "onboarding"].sort());
    expect(compiled.siblings("pricing_page", "pricing")).toEqual(["pricing_banner"]);
    expect(compiled.hasOverride("checkout_v2", "qa:2")).toBe(true);
    expect(compiled.hasOverride("onboarding", "qa:1")).toBe(false);
    expect(compiled.get("pricing_page")?.config.hash_version).toBe(2);
  });

  it("is what this version still writes for those configs and holdouts, byte for byte (a change needs a new format)", () => {
    const snapshot = parseSnapshot(fixture.snapshot);
    if (snapshot === null) throw new Error("the fixture does not parse");
    expect(encodeSnapshot(snapshot)).toBe(JSON.stringify(JSON.parse(fixture.snapshot)));
  });
});

describe("configs written with metrics (expected-v1-metrics.json)", () => {
  const [, withMetrics] = FORMAT_1_FIXTURES;

  it("hold them, defaults filled in, guardrails and all", () => {
    const metrics = Object.fromEntries(withMetrics.expected.experiments.map((c) => [c.name, c.metrics]));
    expect(metrics.checkout_v2?.map((m) => m.name)).toEqual(["purchase", "revenue", "page_load_ms"]);
    expect(metrics.checkout_v2?.[1]).toEqual({
      name: "revenue",
      event: "purchase_value",
      kind: "sum",
      direction: "increase",
      role: "goal",
    });
    expect(metrics.pricing_page).toEqual([
      { name: "refunds", event: "refund", kind: "sum", direction: "decrease", role: "guardrail" },
    ]);
    expect(metrics.onboarding).toEqual([]);
  });

  it("record the change of metrics while running in the history", () => {
    const mutations = withMetrics.expected.history.checkout_v2?.map((r) => r.mutation);
    expect(mutations?.slice(-4)).toEqual(["updated", "set_weights", "state=running", "created"]);
  });
});

describe.each(WITH_HOLDOUTS)("configs and holdouts written $written ($snapshotFile)", (fixture) => {
  const { expected, snapshot: text } = fixture;
  const configs = Object.fromEntries(expected.experiments.map((c) => [c.name, c]));

  it("hold a layer's slice on its running experiment and on a draft in the layer's other half", () => {
    expect(configs.results_grid).toMatchObject({
      state: "running",
      hash_version: 2,
      layer: { name: "search_results", range: [0, 5000] },
      holdout: null,
    });
    expect(configs.results_list).toMatchObject({
      state: "draft",
      layer: { name: "search_results", range: [5000, 10000] },
      holdout: null,
    });
    const inLayers = expected.experiments.filter((c) => c.layer !== null).map((c) => c.name);
    expect(inLayers).toEqual(["results_grid", "results_list"]);
  });

  it("hold the holdout a running experiment joined, and no layer or holdout on the others", () => {
    expect(configs.home_feed).toMatchObject({ state: "running", holdout: "global_holdout", layer: null });
    const others = expected.experiments.filter((c) => !["home_feed", "results_grid", "results_list"].includes(c.name));
    expect(others.map((c) => [c.layer, c.holdout])).toEqual(others.map(() => [null, null]));
  });

  it("list the holdout with its members, its metrics with defaults filled in, replaced once", () => {
    expect(expected.holdouts).toHaveLength(1);
    const [holdout] = expected.holdouts;
    expect(holdout).toMatchObject({
      name: "global_holdout",
      description: "Kept back from every 2026 launch — «témoin»",
      coverage: 1000,
      members: ["home_feed"],
    });
    expect(holdout?.metrics).toEqual([
      { name: "purchase", event: "purchase", kind: "conversion", direction: "increase", role: "goal" },
      { name: "revenue", event: "purchase_value", kind: "sum", direction: "increase", role: "goal" },
    ]);
    expect(holdout?.updated_at_secs).toBeGreaterThan(holdout?.created_at_secs ?? Number.POSITIVE_INFINITY);
    expect(expected.holdoutHistory.global_holdout?.map((r) => [r.mutation, r.actor])).toEqual([
      ["updated", "admin/ops@example.com"],
      ["created", "admin/ops@example.com"],
    ]);
  });

  it("put the holdout into the snapshot, where the edge finds it with its member and counts its metrics", () => {
    const snapshot = parseSnapshot(text);
    if (snapshot === null) throw new Error("the fixture does not parse");
    expect(JSON.parse(text).holdouts).toHaveLength(1);
    const compiled = new CompiledSnapshot(snapshot);
    expect(compiled.get("home_feed")?.holdout).toMatchObject({ name: "global_holdout", coverage: 1000 });
    expect(compiled.get("results_grid")?.holdout).toBeNull();
    expect(compiled.listeners("purchase_value").map((l) => [l.experiment, l.metric])).toContainEqual([
      holdoutKey("global_holdout"),
      "revenue",
    ]);
  });
});

describe.each(WITH_WEBHOOKS)("configs written $written ($snapshotFile)", (fixture) => {
  const { expected, rows, snapshot: text } = fixture;
  const configs = Object.fromEntries(expected.experiments.map((c) => [c.name, c]));
  const stored = Object.fromEntries(rows.tables.experiments.map((row) => [row.name, JSON.parse(row.config)]));

  it("hold a draft scheduled to start and to conclude on a winner, with the automatic stop on", () => {
    expect(configs.spring_sale).toMatchObject({
      state: "draft",
      started_at_secs: null,
      schedule: { start_at_secs: 4_102_444_800, conclude_at_secs: 4_105_123_200, winner: "discount" },
      auto_stop: true,
    });
    expect(configs.spring_sale?.metrics.map((m) => [m.name, m.role])).toEqual([
      ["purchase", "goal"],
      ["refunds", "guardrail"],
    ]);
    expect(expected.history.spring_sale?.map((r) => r.mutation)).toEqual(["created"]);
  });

  it("hold a running experiment whose conclusion alone is scheduled: the start's part null, the manual start kept it", () => {
    expect(configs.cart_reminder).toMatchObject({
      state: "running",
      schedule: { start_at_secs: null, conclude_at_secs: 4_105_123_200, winner: "reminder" },
      auto_stop: false,
    });
    // The newest set's erased actor had been assigned in it.
    const erased = fixture === NEWEST_FORMAT_1_FIXTURE ? ["erased"] : [];
    expect(expected.history.cart_reminder?.map((r) => r.mutation)).toEqual([...erased, "state=running", "created"]);
  });

  it("store `schedule` and `auto_stop` only where set: every other config is written as before", () => {
    const scheduled = Object.keys(stored).filter((name) => "schedule" in stored[name]);
    expect(scheduled).toEqual(["cart_reminder", "spring_sale"]);
    const stopping = Object.keys(stored).filter((name) => "auto_stop" in stored[name]);
    expect(stopping).toEqual(["spring_sale"]);
    expect(stored.spring_sale.auto_stop).toBe(true);
    const snapshotted = JSON.parse(text).experiments as Record<string, unknown>[];
    expect(snapshotted.filter((c) => "schedule" in c).map((c) => c.name)).toEqual(["cart_reminder", "spring_sale"]);
    expect(snapshotted.filter((c) => "auto_stop" in c).map((c) => c.name)).toEqual(["spring_sale"]);
    const others = expected.experiments.filter((c) => !["cart_reminder", "spring_sale"].includes(c.name));
    expect(others.map((c) => [c.schedule, c.auto_stop])).toEqual(others.map(() => [null, false]));
  });

  it("leave a scheduled draft out of what the edge assigns until its start fires", () => {
    const snapshot = parseSnapshot(text);
    if (snapshot === null) throw new Error("the fixture does not parse");
    const compiled = new CompiledSnapshot(snapshot);
    expect(compiled.assignable).not.toContain("spring_sale");
    expect(compiled.assignable).toContain("cart_reminder");
    expect(compiled.get("spring_sale")?.config.schedule?.start_at_secs).toBe(4_102_444_800);
  });
});

describe("configs stored before a field existed", () => {
  const [, withMetrics] = FORMAT_1_FIXTURES;
  const stored = JSON.parse(
    withMetrics.rows.tables.experiments.find((r) => r.name === "pricing_page")?.config ?? "null",
  );
  /** What it reads as: with the fields added after it was written (a layer, a holdout) at their defaults. */
  const read = { ...stored, layer: null, holdout: null, schedule: null, auto_stop: false };
  /** `config` as the snapshot and as the registry's row decode it. */
  const decoded = (config: object) => [
    parseSnapshot(JSON.stringify({ version: 1, experiments: [config] }))?.experiments[0],
    experimentFromRow({ name: stored.name, config: JSON.stringify(config), sticky_variants: "[]" }).config,
  ];

  it.each([
    ["targeting", []],
    ["coverage", 10_000],
    ["hash_version", 1],
    ["metrics", []],
    ["revision", 1],
    ["started_at_secs", null],
  ])("read without %s as %j", (field, value) => {
    const { [field]: _, ...older } = stored;
    expect(decoded(older)).toEqual([
      { ...read, [field]: value },
      { ...read, [field]: value },
    ]);
  });

  it("read without a layer or a holdout as none (null)", () => {
    expect("layer" in stored || "holdout" in stored).toBe(false);
    expect(decoded(stored)).toEqual([read, read]);
  });

  it("read without a schedule as nothing scheduled (null), without auto_stop as off (false)", () => {
    const scheduled = JSON.parse(
      NEWEST_FORMAT_1_FIXTURE.rows.tables.experiments.find((r) => r.name === "spring_sale")?.config ?? "null",
    );
    const { schedule, auto_stop, ...older } = scheduled;
    expect([schedule, auto_stop]).toEqual([expect.any(Object), true]);
    const { schedule: _, ...withStop } = scheduled;
    const { auto_stop: __, ...withSchedule } = scheduled;
    for (const [config, reads] of [
      [older, { schedule: null, auto_stop: false }],
      [withStop, { schedule: null, auto_stop: true }],
      [withSchedule, { schedule, auto_stop: false }],
    ] as const) {
      const [fromSnapshot, fromRow] = decoded(config);
      expect(fromSnapshot).toMatchObject(reads);
      expect(fromRow).toMatchObject(reads);
    }
  });

  it("read a targeting condition without case_insensitive as case-sensitive", () => {
    const { case_insensitive: _, ...condition } = stored.targeting[1];
    const [fromSnapshot, fromRow] = decoded({ ...stored, targeting: [condition] });
    expect(fromSnapshot?.targeting).toEqual([{ ...condition, case_insensitive: false }]);
    expect(fromRow?.targeting).toEqual([{ ...condition, case_insensitive: false }]);
  });
});

describe.each(FORMAT_1_FIXTURES)("the registry's rows written $written ($rowsFile)", (fixture) => {
  const { rows, expected } = fixture;

  it("describe the newest migration: a new one comes with new row schemas and a fixture of its rows", () => {
    expect(REGISTRY_ROWS_VERSION).toBe(REGISTRY_MIGRATIONS.at(-1)?.id);
    expect(NEWEST_FORMAT_1_FIXTURE.rows.migrations.at(-1)?.id).toBe(REGISTRY_ROWS_VERSION);
    expect(rows.migrations.map((m) => m.id)).toEqual(MIGRATIONS_OF[fixture.rowsFile]);
    expect(MIGRATIONS_OF[NEWEST_FORMAT_1_FIXTURE.rowsFile]).toEqual(REGISTRY_MIGRATIONS.map((m) => m.id));
    expect(rows.migrations.map((m) => m.description)).toEqual(
      REGISTRY_MIGRATIONS.slice(0, rows.migrations.length).map((m) => m.description),
    );
  });

  it("decode to every config as the admin API showed it", () => {
    expect(rows.tables.experiments.map((row) => experimentFromRow(row).config)).toEqual(expected.experiments);
  });

  it("decode to each experiment's history as the admin API showed it", () => {
    for (const [name, history] of Object.entries(expected.history)) {
      const rowsOf = rows.tables.history.filter((row) => row.experiment === name);
      expect(rowsOf.map(changeFromRow).reverse()).toEqual(history);
    }
  });

  it("decode to every holdout and its history as the admin API showed them", () => {
    const { holdouts, holdout_history } = holdoutTables(fixture);
    expect(holdouts.map(holdoutFromRow)).toEqual(expected.holdouts.map(withoutMembers));
    const named = new Set(holdout_history.map((row) => row.holdout));
    expect([...named]).toEqual(Object.keys(expected.holdoutHistory));
    for (const [name, history] of Object.entries(expected.holdoutHistory)) {
      const rowsOf = holdout_history.filter((row) => row.holdout === name);
      expect(rowsOf.map(holdoutChangeFromRow).reverse()).toEqual(history);
    }
  });

  it("hold JSON columns that this version still writes byte for byte (a change needs a migration)", () => {
    for (const row of rows.tables.experiments) {
      const { config, stickyVariants } = experimentFromRow(row);
      expect(configColumn(config)).toBe(row.config);
      expect(stickyVariantsColumn(stickyVariants)).toBe(row.sticky_variants);
    }
    for (const row of rows.tables.revisions) expect(variantsColumn(revisionFromRow(row).variants)).toBe(row.variants);
    for (const row of holdoutTables(fixture).holdouts) expect(holdoutColumn(holdoutFromRow(row))).toBe(row.holdout);
    for (const row of webhookTables(fixture).webhooks)
      expect(webhookColumn(webhookFromRow(row).webhook)).toBe(row.webhook);
  });

  it("decode to every webhook as the admin API listed it, each with a secret of the right format and none read", () => {
    const { webhooks } = webhookTables(fixture);
    const decoded = webhooks.map(webhookFromRow);
    expect(decoded.map((w) => w.webhook)).toEqual(expected.webhooks);
    for (const { secret } of decoded) expect(secret).toMatch(SECRET_FORMAT);
    expect(JSON.stringify(expected)).not.toMatch(/whsec_|"secret"/);
  });
});

describe.each(WITH_HOLDOUTS)("the holdouts' rows written $written ($rowsFile)", (fixture) => {
  const { holdouts, holdout_history, experiments } = fixture.rows.tables;

  it("decode a holdout row to the stored holdout, whatever experiments name it", () => {
    expect(holdouts.map((row) => row.name)).toEqual(["global_holdout"]);
    const [row] = holdouts;
    if (row === undefined) throw new Error("no holdout row");
    const holdout = holdoutFromRow(row);
    expect(holdout).toEqual(JSON.parse(row.holdout));
    expect(holdout.name).toBe(row.name);
    expect(holdout.metrics.map((m) => m.name)).toEqual(["purchase", "revenue"]);
    const members = experiments.map((r) => experimentFromRow(r).config).filter((c) => c.holdout === holdout.name);
    expect(members.map((c) => c.name)).toEqual(["home_feed"]);
  });

  it("decode the history rows oldest first, as written: created, then updated", () => {
    expect(holdout_history.map((row) => row.seq)).toEqual([1, 2]);
    expect(holdout_history.map(holdoutChangeFromRow)).toEqual([
      {
        holdout: "global_holdout",
        mutation: "created",
        actor: "admin/ops@example.com",
        timestamp_secs: expect.any(Number),
      },
      {
        holdout: "global_holdout",
        mutation: "updated",
        actor: "admin/ops@example.com",
        timestamp_secs: expect.any(Number),
      },
    ]);
    const [created, updated] = holdout_history.map((row) => row.timestamp_secs);
    const holdout = holdoutFromRow(holdouts[0]);
    expect([created, updated]).toEqual([holdout.created_at_secs, holdout.updated_at_secs]);
  });

  it("refuse a holdout row that is not what the registry writes", () => {
    const [row] = holdouts;
    if (row === undefined) throw new Error("no holdout row");
    const stored = JSON.parse(row.holdout);
    expect(() => holdoutFromRow({ ...row, holdout: "{" })).toThrow();
    expect(() => holdoutFromRow({ ...row, holdout: JSON.stringify({ ...stored, coverage: "1000" }) })).toThrow();
    expect(() => holdoutChangeFromRow({ ...holdout_history[0], timestamp_secs: "now" })).toThrow();
  });
});

/** The outbox row a received delivery was sent from, as the registry writes it (`seq` aside). */
const outboxRowOf = (delivery: ReceivedDelivery, seq: number) => ({
  seq,
  id: delivery.id,
  webhook: delivery.webhook,
  type: delivery.type,
  timestamp_secs: Date.parse(delivery.timestamp) / 1000,
  data: JSON.stringify(delivery.data),
});

/** Every webhook event type when the sets with webhooks were written. */
const EVENT_TYPES_WHEN_WRITTEN = [
  "experiment.created",
  "experiment.updated",
  "experiment.started",
  "experiment.concluded",
  "experiment.archived",
  "override.set",
  "override.removed",
  "holdout.updated",
  "guardrail.breached",
];

/** The changes `audit_log` received in a set: every one after its subscription (the newest set's erasure among them). */
const receivedChanges = (fixture: Format1Fixture) =>
  [
    ["cart_reminder", "experiment.created", "created"],
    ["cart_reminder", "experiment.started", "state=running"],
    ["search_ranking", "experiment.archived", "state=archived"],
    ["search_ranking", "experiment.created", "created"],
    ["spring_sale", "experiment.created", "created"],
    ...(fixture === NEWEST_FORMAT_1_FIXTURE ? ERASED_FROM.map((name) => [name, "experiment.updated", "erased"]) : []),
  ].sort();

describe.each(WITH_WEBHOOKS)("the webhooks' rows written $written ($rowsFile)", (fixture) => {
  const { rows, expected } = fixture;
  const { webhooks, webhook_outbox, webhook_delivered, history } = rows.tables;
  const byName = Object.fromEntries(webhooks.map((row) => [row.name, row]));

  it("decode to one subscription to every event type and one to a few, replaced once", () => {
    expect(webhooks.map((row) => row.name)).toEqual(["audit_log", "launches"]);
    const auditLog = webhookFromRow(byName.audit_log).webhook;
    // Defined without `events`: stored with every type there was then, which stay types
    // (a type may be added later, and then is not in this stored list).
    expect(auditLog.events).toEqual(EVENT_TYPES_WHEN_WRITTEN);
    for (const type of auditLog.events) expect(WEBHOOK_EVENT_TYPES).toContain(type);
    expect(auditLog.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\/audit_log$/);
    expect(auditLog.updated_at_secs).toBe(auditLog.created_at_secs);
    const launches = webhookFromRow(byName.launches).webhook;
    expect(launches).toMatchObject({
      url: "https://hooks.example.invalid/edge-experiments/launches",
      events: ["experiment.started", "experiment.concluded", "experiment.archived"],
    });
    expect(launches.updated_at_secs).toBeGreaterThan(launches.created_at_secs);
  });

  it("hold a secret per subscription in its own column, never in the webhook JSON", () => {
    for (const row of webhooks) {
      expect(row.secret).toMatch(SECRET_FORMAT);
      expect(atob(row.secret.slice("whsec_".length))).toHaveLength(24);
      expect(Object.keys(JSON.parse(row.webhook))).toEqual([
        "name",
        "url",
        "events",
        "created_at_secs",
        "updated_at_secs",
      ]);
      expect(webhookFromRow(row).secret).toBe(row.secret);
    }
    expect(new Set(webhooks.map((row) => row.secret)).size).toBe(webhooks.length);
  });

  it("refuse a webhook row that is not what the registry writes", () => {
    const row = byName.launches;
    if (row === undefined) throw new Error("no webhook row");
    const stored = JSON.parse(row.webhook);
    const { url: _, ...withoutUrl } = stored;
    for (const bad of [
      { ...row, webhook: "{" },
      { ...row, webhook: JSON.stringify(withoutUrl) },
      { ...row, webhook: JSON.stringify({ ...stored, events: ["experiment.deleted"] }) },
      { ...row, webhook: JSON.stringify({ ...stored, created_at_secs: "yesterday" }) },
      { ...row, secret: null },
      { name: row.name, webhook: row.webhook },
    ]) {
      expect(() => webhookFromRow(bad), JSON.stringify(bad)).toThrow();
    }
  });

  it("record as delivered exactly what the receiver answered: every change after the subscription, once", () => {
    const received = expected.received;
    expect(received.map((r) => r.webhook)).toEqual(received.map(() => "audit_log"));
    expect(new Set(received.map((r) => r.id)).size).toBe(received.length);
    expect(webhook_delivered.map((row) => row.id)).toEqual(received.map((r) => r.id).sort());
    const subscribedAt = (webhookFromRow(byName.audit_log).webhook.created_at_secs - 1) * 1000;
    for (const row of webhook_delivered) {
      expect(row.id).toMatch(/^msg_[0-9a-f-]{36}$/);
      expect(row.at_ms).toBeGreaterThan(subscribedAt);
      expect(row.at_ms).toBeLessThan(subscribedAt + 600_000);
    }
    const changes = received.map((r) => [r.data.experiment.name, r.type, r.data.change]).sort();
    expect(changes).toEqual(receivedChanges(fixture));
    // Each is a change of the history, sent at its time, with the config after it.
    for (const { data, timestamp } of received) {
      const entry = history.find((r) => r.experiment === data.experiment.name && r.mutation === data.change);
      expect(entry?.timestamp_secs).toBe(Date.parse(timestamp) / 1000);
      expect(data.actor).toBe(entry?.actor);
    }
    expect(received.find((r) => r.data.experiment.name === "spring_sale")?.data.experiment).toEqual(
      expected.experiments.find((c) => c.name === "spring_sale"),
    );
  });

  it("decode each outbox row to the delivery the queue carries (the alarm had handed them all over)", () => {
    // Rows that waited for the queue when the database was read, if the dump caught any,
    // and the rows the received deliveries were sent from.
    const outbox = [
      ...webhook_outbox,
      ...expected.received.map((r, i) => outboxRowOf(r, webhook_outbox.length + i + 1)),
    ];
    expect(outbox.length).toBeGreaterThan(0);
    for (const row of outbox) {
      expect(webhookDeliveryFromRow(row)).toEqual({
        id: row.id,
        webhook: row.webhook,
        type: row.type,
        timestamp_secs: row.timestamp_secs,
        data: JSON.parse(row.data),
      });
    }
  });

  it("refuse an outbox row that is not what the registry writes", () => {
    const [delivery] = expected.received;
    if (delivery === undefined) throw new Error("no delivery received");
    const row = outboxRowOf(delivery, 1);
    const { id: _, ...withoutId } = row;
    for (const bad of [
      { ...row, data: "{" },
      { ...row, type: "experiment.deleted" },
      { ...row, timestamp_secs: delivery.timestamp },
      { ...row, seq: "1" },
      { ...row, webhook: null },
      withoutId,
    ]) {
      expect(() => webhookDeliveryFromRow(bad), JSON.stringify(bad)).toThrow();
    }
  });
});

describe("an actor erased (snapshot-v1-erasures.json, registry-rows-v5.json, expected-v1-erasures.json)", () => {
  const { rows, expected, snapshot: text } = NEWEST_FORMAT_1_FIXTURE;
  const { erasures, history } = rows.tables;
  const compiled = () => {
    const snapshot = parseSnapshot(text);
    if (snapshot === null) throw new Error("the fixture does not parse");
    return new CompiledSnapshot(snapshot);
  };
  const [row] = erasures;
  if (row === undefined) throw new Error("no erasure row");

  it("hold one erasure row, under the actor's erasure key, written with the `erased` entries", async () => {
    const key = await erasureKey(ERASED_ACTOR);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(erasures.map(erasureFromRow)).toEqual([[key, row.erased_at_secs]]);
    // One transaction: the same second as each `erased` entry; published after.
    const erased = history.filter((r) => r.mutation === "erased");
    expect(erased.map((r) => [r.experiment, r.timestamp_secs])).toEqual(
      ERASED_FROM.map((name) => [name, row.erased_at_secs]),
    );
    expect(rows.tables.publish_state[0]?.published_at_ms).toBeGreaterThanOrEqual(row.erased_at_secs * 1000);
  });

  it("refuse an erasure row that is not what the registry writes", () => {
    const { key: _, ...withoutKey } = row;
    const { erased_at_secs: __, ...withoutTime } = row;
    for (const bad of [
      { ...row, key: null },
      { ...row, key: 1 },
      { ...row, erased_at_secs: "2026-12-06T07:20:37Z" },
      { ...row, erased_at_secs: null },
      withoutKey,
      withoutTime,
      [row.key, row.erased_at_secs],
      null,
    ]) {
      expect(() => erasureFromRow(bad), JSON.stringify(bad)).toThrow();
    }
  });

  it("tell the edge of the erasure in the snapshot, under the same key and time", async () => {
    const key = await erasureKey(ERASED_ACTOR);
    expect(JSON.parse(text).erasures).toEqual([[key, row.erased_at_secs]]);
    expect(compiled().hasErasures).toBe(true);
    expect(compiled().erasedAt(key)).toBe(row.erased_at_secs);
    expect(compiled().erasedAt(await erasureKey("qa:1"))).toBeNull();
    expect(compiled().erasedAt(ERASED_ACTOR)).toBeNull(); // the key, never the id
  });

  it("drop the actor's override from the registry and the snapshot, and no other", () => {
    expect(expected.overrides.home_feed).toEqual([]);
    expect(compiled().hasOverride("home_feed", ERASED_ACTOR)).toBe(false);
    const before = parseSnapshot(UNATTENDED_FORMAT_1_FIXTURE.snapshot);
    expect(parseSnapshot(text)?.overrides).toEqual(before?.overrides);
    expect(rows.tables.overrides).toEqual(UNATTENDED_FORMAT_1_FIXTURE.rows.tables.overrides);
  });

  it("record `erased`, with the admin actor, last in each experiment the actor was in, and in no other", () => {
    for (const [name, entries] of Object.entries(expected.history)) {
      const erased = entries.filter((r) => r.mutation === "erased").map((r) => r.actor);
      expect(erased, name).toEqual(ERASED_FROM.includes(name) ? [ERASED_BY] : []);
      if (ERASED_FROM.includes(name)) expect(entries[0]?.mutation, name).toBe("erased");
    }
  });

  it("redact the actor's id in the entries from before (an override set, and one removed), keeping who and when", () => {
    const mutations = (name: string) => expected.history[name]?.map((r) => r.mutation);
    expect(mutations("home_feed")).toEqual(["erased", "override=(erased):ranked", "state=running", "created"]);
    expect(mutations("checkout_v2")?.slice(0, 3)).toEqual([
      "erased",
      "override_removed=(erased)",
      "override=(erased):treatment",
    ]);
    const redacted = history.filter((r) => r.mutation.includes("(erased)"));
    expect(redacted.map((r) => r.actor)).toEqual(redacted.map(() => "admin/ops@example.com"));
    expect(redacted.every((r) => r.timestamp_secs <= row.erased_at_secs)).toBe(true);
    // Every other entry is the unattended scenario's.
    const unattended = UNATTENDED_FORMAT_1_FIXTURE.expected.history;
    for (const [name, entries] of Object.entries(expected.history)) {
      const others = entries.filter((r) => r.mutation !== "erased" && !r.mutation.includes("(erased)"));
      expect(
        others.map((r) => [r.mutation, r.actor]),
        name,
      ).toEqual(unattended[name]?.map((r) => [r.mutation, r.actor]));
    }
  });

  it("name the actor nowhere: not in the snapshot, the rows, or what the API showed after", () => {
    for (const written of [text, JSON.stringify(rows), JSON.stringify(expected)]) {
      expect(written).not.toContain(ERASED_ACTOR);
      expect(written).not.toContain("erin-4711");
    }
  });
});

describe("what this version writes reads back as it was", () => {
  const text = fc.string({ unit: "binary", maxLength: 12 });
  const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
  const metric = fc.record({
    name: text,
    event: text,
    kind: fc.constantFrom(...METRIC_KINDS),
    direction: fc.constantFrom(...METRIC_DIRECTIONS),
    role: fc.constantFrom(...METRIC_ROLES),
  });
  const config: fc.Arbitrary<ExperimentConfig> = fc.record({
    name: text,
    description: nullable(text),
    state: fc.constantFrom("draft", "running", "concluded", "archived"),
    variants: fc.array(fc.record({ name: text, weight: fc.nat() }), { maxLength: 4 }),
    winner: nullable(text),
    exclusion_group: nullable(text),
    targeting: fc.array(
      fc.record({
        attribute: text,
        operator: fc.constantFrom(...TARGETING_OPERATORS),
        values: fc.array(text, { maxLength: 3 }),
        case_insensitive: fc.boolean(),
      }),
      { maxLength: 3 },
    ),
    coverage: fc.integer({ min: 0, max: 10_000 }),
    hash_version: fc.constantFrom(1, 2),
    metrics: fc.array(metric, { maxLength: 3 }),
    layer: nullable(
      fc.record({
        name: text,
        range: fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 })),
      }),
    ),
    holdout: nullable(text),
    schedule: nullable(
      fc.record({ start_at_secs: nullable(fc.nat()), conclude_at_secs: nullable(fc.nat()), winner: nullable(text) }),
    ),
    auto_stop: fc.boolean(),
    revision: fc.integer({ min: 1, max: 1_000_000 }),
    updated_at_secs: fc.nat(),
    started_at_secs: nullable(fc.nat()),
  });
  const override = fc.tuple(text, text, text);
  const holdout: fc.Arbitrary<HoldoutConfig> = fc.record({
    name: text,
    description: nullable(text),
    coverage: fc.integer({ min: 1, max: 5000 }),
    metrics: fc.array(metric, { maxLength: 2 }),
    created_at_secs: fc.nat(),
    updated_at_secs: fc.nat(),
  });

  it("in the KV snapshot", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(config, { maxLength: 4 }),
        fc.array(override),
        fc.array(holdout, { maxLength: 3 }),
        fc.array(fc.tuple(text, fc.nat()), { maxLength: 3 }),
        (version, experiments, overrides, holdouts, erasures) => {
          const snapshot: ConfigSnapshot = { version, experiments, overrides, holdouts, erasures };
          expect(parseSnapshot(encodeSnapshot(snapshot))).toEqual(snapshot);
        },
      ),
    );
  });

  it("in the registry's rows", () => {
    fc.assert(
      fc.property(config, fc.array(text), (written, sticky) => {
        const row = {
          name: written.name,
          config: configColumn(written),
          sticky_variants: stickyVariantsColumn(sticky),
        };
        expect(experimentFromRow(row)).toEqual({ config: written, stickyVariants: sticky });
        const revision = { experiment: written.name, revision: 1, variants: variantsColumn(written.variants) };
        expect(revisionFromRow(revision).variants).toEqual(written.variants);
      }),
    );
  });
});

describe("the stored formats' code", () => {
  // The wire schemas (src/api) may change for clients; the stored formats must not
  // follow. So their modules import only valibot, the engine and each other.
  it.each([
    ["src/edge/config/stored-config.ts", storedConfigSource],
    ["src/edge/config/snapshot.ts", snapshotSource],
    ["src/edge/objects/registry/rows.ts", rowsSource],
  ])("%s imports nothing from the API's schemas", (_, source) => {
    const imports = [...source.matchAll(/^import[^;]*?from "([^"]+)";/gms)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) {
      expect(specifier).toMatch(/^(valibot|(\.\.\/)+core|\.\/stored-config|\.\.\/\.\.\/config\/stored-config)$/);
    }
  });
});
