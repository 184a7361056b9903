// What is stored decodes the same forever, whatever the API's wire schemas become. The
// fixtures under test/fixtures/stored were written by the real Worker
// (scripts/stored-fixtures.mjs) and are never rewritten: a Worker must read them as long
// as data of their format may exist. expected-v1*.json is what the admin API showed for
// that data when it was written.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ExperimentConfig,
  type HoldoutConfig,
  holdoutKey,
  METRIC_DIRECTIONS,
  METRIC_KINDS,
  METRIC_ROLES,
  TARGETING_OPERATORS,
} from "../../src/core";
import { CompiledSnapshot, type ConfigSnapshot, encodeSnapshot, parseSnapshot } from "../../src/edge/config/snapshot";
import snapshotSource from "../../src/edge/config/snapshot.ts?raw";
import storedConfigSource from "../../src/edge/config/stored-config.ts?raw";
import { REGISTRY_MIGRATIONS } from "../../src/edge/objects/registry/migrations";
import {
  changeFromRow,
  configColumn,
  experimentFromRow,
  holdoutChangeFromRow,
  holdoutColumn,
  holdoutFromRow,
  REGISTRY_ROWS_VERSION,
  revisionFromRow,
  stickyVariantsColumn,
  variantsColumn,
} from "../../src/edge/objects/registry/rows";
import rowsSource from "../../src/edge/objects/registry/rows.ts?raw";
import { FORMAT_1_FIXTURES, type Format1Fixture, NEWEST_FORMAT_1_FIXTURE } from "../fixtures/stored/fixtures";

/** The running experiments of a set's scenario: the newest added a holdout's member and a layer's first half. */
const runningIn = (fixture: Format1Fixture) =>
  fixture === NEWEST_FORMAT_1_FIXTURE
    ? ["checkout_v2", "home_feed", "pricing_page", "results_grid"]
    : ["checkout_v2", "pricing_page"];

/** A holdout as stored and published: what the API lists, without the experiments that name it. */
const withoutMembers = ({ members: _, ...holdout }: HoldoutConfig & { members: string[] }): HoldoutConfig => holdout;

/** The holdouts' tables of a set: none before migration 3. */
const holdoutTables = (fixture: Format1Fixture) =>
  "holdouts" in fixture.rows.tables ? fixture.rows.tables : { holdouts: [], holdout_history: [] };

describe.each(FORMAT_1_FIXTURES)("the format-1 KV snapshot written $written ($snapshotFile)", (fixture) => {
  const { expected } = fixture;

  it("decodes to every config and holdout as the admin API showed them, with the running experiments' overrides", () => {
    const snapshot = parseSnapshot(fixture.snapshot);
    expect(snapshot?.version).toBe(fixture.rows.tables.publish_state[0]?.version);
    expect(snapshot?.experiments).toEqual(expected.experiments);
    expect(snapshot?.holdouts).toEqual(expected.holdouts.map(withoutMembers));
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

describe("configs and holdouts written with layers and holdouts (expected-v1-population.json)", () => {
  const { expected, snapshot: text } = NEWEST_FORMAT_1_FIXTURE;
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
    expect(rows.migrations.map((m) => m.id)).toEqual(fixture === NEWEST_FORMAT_1_FIXTURE ? [1, 2, 3] : [1, 2]);
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
  });
});

describe("the holdouts' rows written with layers and holdouts (registry-rows-v3.json)", () => {
  const { holdouts, holdout_history, experiments } = NEWEST_FORMAT_1_FIXTURE.rows.tables;

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
        (version, experiments, overrides, holdouts) => {
          const snapshot: ConfigSnapshot = { version, experiments, overrides, holdouts };
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
