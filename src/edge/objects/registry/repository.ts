import {
  type Change,
  type ChangeRecord,
  type ExperimentConfig,
  ExperimentError,
  type ExperimentRepository,
  type HoldoutChange,
  type HoldoutChangeRecord,
  type HoldoutConfig,
  type HoldoutRepository,
  nowSecs,
  type OverrideEntry,
  type RevisionWeights,
} from "../../../core";
import type { ActorObject } from "../actor/actor-object";
import { actorObjectOf } from "../actor/client";
import {
  changeFromRow,
  configColumn,
  type ExperimentRecord,
  erasureFromRow,
  experimentFromRow,
  holdoutChangeFromRow,
  holdoutColumn,
  holdoutFromRow,
  overrideFromRow,
  type PublishState,
  publishStateFromRow,
  revisionFromRow,
  stickyVariantsColumn,
  variantsColumn,
} from "./rows";
import { RegistryWebhooks } from "./webhooks";

/**
 * The registry's `ExperimentRepository`: configs, history and the override index in
 * the registry object's SQLite, overrides themselves in the actors' objects.
 *
 * The delete-variant guard cannot see the actors' assignments (they are spread over
 * millions of objects), so it tracks the variants that MAY have sticky assignments: a
 * variant joins the set once it could be chosen while the experiment runs (a positive
 * weight, or an override naming it) and never leaves. Refusing to drop those keeps the
 * promise that no sticky assignment points at a variant missing from its experiment.
 */
export class RegistryRepository implements ExperimentRepository, HoldoutRepository {
  private readonly sql: SqlStorage;
  /** The subscriptions, and the deliveries each change writes with it. */
  readonly webhooks: RegistryWebhooks;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly actors: DurableObjectNamespace<ActorObject>,
  ) {
    this.sql = storage.sql;
    this.webhooks = new RegistryWebhooks(this.sql);
  }

  async get(name: string): Promise<ExperimentConfig | null> {
    return this.record(name)?.config ?? null;
  }

  async list(): Promise<ExperimentConfig[]> {
    return this.sql
      .exec("SELECT * FROM experiments ORDER BY name")
      .toArray()
      .map((row) => experimentFromRow(row).config);
  }

  async update(
    name: string,
    change: (current: ExperimentConfig | null) => Change,
    by: string | null,
  ): Promise<ExperimentConfig> {
    return this.storage.transactionSync(() => {
      const record = this.record(name);
      const next = change(record?.config ?? null);
      const sticky = record?.stickyVariants ?? [];
      const kept = new Set(next.config.variants.map((v) => v.name));
      const lost = sticky.find((variant) => !kept.has(variant));
      if (lost !== undefined) throw ExperimentError.variantInUse(lost);
      this.sql.exec(
        `INSERT INTO experiments (name, config, sticky_variants) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET config = excluded.config, sticky_variants = excluded.sticky_variants`,
        name,
        configColumn(next.config),
        stickyVariantsColumn(this.stickyVariantsAfter(next.config, sticky)),
      );
      this.log(name, next.mutation, by);
      // Each revision's variants, for the sample-ratio check of the results.
      this.sql.exec(
        "INSERT INTO revisions (experiment, revision, variants) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        name,
        next.config.revision,
        variantsColumn(next.config.variants),
      );
      this.sql.exec("UPDATE publish_state SET version = version + 1");
      return next.config;
    });
  }

  async history(experiment: string, limit: number): Promise<ChangeRecord[]> {
    return this.sql
      .exec(
        "SELECT * FROM history WHERE experiment = ? ORDER BY seq DESC LIMIT ?",
        experiment,
        limit === 0 ? -1 : limit,
      )
      .toArray()
      .map(changeFromRow);
  }

  /** The actor's object first: if it fails, the index has not claimed anything. */
  async setOverride(experiment: string, actor: string, variant: string, by: string | null): Promise<void> {
    await actorObjectOf(this.actors, actor).setOverride(experiment, variant);
    this.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO overrides (experiment, actor, variant) VALUES (?, ?, ?)
         ON CONFLICT (experiment, actor) DO UPDATE SET variant = excluded.variant`,
        experiment,
        actor,
        variant,
      );
      const record = this.record(experiment);
      if (record !== null) {
        const sticky = this.stickyVariantsAfter(record.config, record.stickyVariants);
        this.sql.exec(
          "UPDATE experiments SET sticky_variants = ? WHERE name = ?",
          stickyVariantsColumn(sticky),
          experiment,
        );
      }
      this.log(experiment, `override=${actor}:${variant}`, by);
      // The snapshot carries overrides (the edge checks them before its sticky caches).
      this.sql.exec("UPDATE publish_state SET version = version + 1");
    });
  }

  /** Also asks the actor's object when the index has no entry, to clear a half-done earlier call. */
  async removeOverride(experiment: string, actor: string, by: string | null): Promise<boolean> {
    const removedAtActor = await actorObjectOf(this.actors, actor).removeOverride(experiment);
    return this.storage.transactionSync(() => {
      const removedFromIndex =
        this.sql.exec("DELETE FROM overrides WHERE experiment = ? AND actor = ?", experiment, actor).rowsWritten > 0;
      const removed = removedAtActor || removedFromIndex;
      if (removed) {
        this.log(experiment, `override_removed=${actor}`, by);
        this.sql.exec("UPDATE publish_state SET version = version + 1");
      }
      return removed;
    });
  }

  async listOverrides(experiment: string): Promise<OverrideEntry[]> {
    return this.sql
      .exec("SELECT * FROM overrides WHERE experiment = ? ORDER BY actor", experiment)
      .toArray()
      .map((row) => {
        const { actor, variant } = overrideFromRow(row);
        return { actor, variant };
      });
  }

  /**
   * Every override of every experiment, as `[experiment, actor, variant]`: what the
   * snapshot carries to the edge. A list, not an object keyed by actor, since an actor
   * id may be `__proto__`.
   */
  allOverrides(): [string, string, string][] {
    return this.sql
      .exec("SELECT * FROM overrides ORDER BY experiment, actor")
      .toArray()
      .map((row) => {
        const { experiment, actor, variant } = overrideFromRow(row);
        return [experiment, actor, variant];
      });
  }

  async getHoldout(name: string): Promise<HoldoutConfig | null> {
    return this.holdoutNow(name);
  }

  async listHoldouts(): Promise<HoldoutConfig[]> {
    return this.sql.exec("SELECT * FROM holdouts ORDER BY name").toArray().map(holdoutFromRow);
  }

  async updateHoldout(
    name: string,
    change: (current: HoldoutConfig | null) => HoldoutChange,
    by: string | null,
  ): Promise<HoldoutConfig> {
    return this.storage.transactionSync(() => {
      const { holdout, mutation } = change(this.holdoutNow(name));
      this.sql.exec(
        "INSERT INTO holdouts (name, holdout) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET holdout = excluded.holdout",
        name,
        holdoutColumn(holdout),
      );
      this.logHoldout(name, mutation, by);
      this.webhooks.emit(["holdout.updated"], () => ({ holdout, change: mutation, actor: by }));
      // The snapshot carries holdouts to the edge.
      this.sql.exec("UPDATE publish_state SET version = version + 1");
      return holdout;
    });
  }

  async deleteHoldout(name: string, check: (current: HoldoutConfig | null) => void, by: string | null): Promise<void> {
    this.storage.transactionSync(() => {
      check(this.holdoutNow(name));
      this.sql.exec("DELETE FROM holdouts WHERE name = ?", name);
      this.logHoldout(name, "deleted", by);
      this.webhooks.emit(["holdout.updated"], () => ({ holdout: null, deleted: name, change: "deleted", actor: by }));
      this.sql.exec("UPDATE publish_state SET version = version + 1");
    });
  }

  async holdoutHistory(name: string, limit: number): Promise<HoldoutChangeRecord[]> {
    return this.sql
      .exec("SELECT * FROM holdout_history WHERE holdout = ? ORDER BY seq DESC LIMIT ?", name, limit === 0 ? -1 : limit)
      .toArray()
      .map(holdoutChangeFromRow);
  }

  /**
   * Erases an actor everywhere the registry knows of it, after its own object has
   * erased itself (so that, if that fails, nothing here has changed): its overrides in
   * the index, its id in history entries (`override=(erased):treatment`), an `erased`
   * entry in the history of each experiment it was in, and the erasure under its key
   * for the edge.
   */
  async eraseActor(actor: string, key: string, by: string | null): Promise<void> {
    const experiments = await actorObjectOf(this.actors, actor).erase();
    this.storage.transactionSync(() => {
      const overridden = this.sql
        .exec<{ experiment: string }>("SELECT experiment FROM overrides WHERE actor = ?", actor)
        .toArray()
        .map((row) => row.experiment);
      this.sql.exec("DELETE FROM overrides WHERE actor = ?", actor);
      this.redactHistory(actor);
      for (const experiment of new Set([...experiments, ...overridden])) this.log(experiment, "erased", by);
      this.sql.exec(
        `INSERT INTO erasures (key, erased_at_secs) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET erased_at_secs = excluded.erased_at_secs`,
        key,
        nowSecs(),
      );
      // The snapshot tells every edge, and drops the actor's overrides.
      this.sql.exec("UPDATE publish_state SET version = version + 1");
    });
  }

  /** History entries that name the actor (its overrides) name it `(erased)` instead. */
  private redactHistory(actor: string): void {
    for (const [prefix, suffix] of [
      [`override=${actor}:`, true],
      [`override_removed=${actor}`, false],
    ] as const) {
      const rows = this.sql
        .exec<{ seq: number; mutation: string }>(
          "SELECT seq, mutation FROM history WHERE substr(mutation, 1, ?) = ?",
          prefix.length,
          prefix,
        )
        .toArray()
        .filter((row) => suffix || row.mutation === prefix);
      for (const { seq, mutation } of rows) {
        const redacted = suffix ? `override=(erased):${mutation.slice(prefix.length)}` : "override_removed=(erased)";
        this.sql.exec("UPDATE history SET mutation = ? WHERE seq = ?", redacted, seq);
      }
    }
  }

  /** Erasures the edge must still be told of (younger than `memorySecs`); older ones are forgotten here too. */
  recentErasures(memorySecs: number): [string, number][] {
    this.sql.exec("DELETE FROM erasures WHERE erased_at_secs < ?", nowSecs() - memorySecs);
    return this.sql.exec("SELECT * FROM erasures ORDER BY key").toArray().map(erasureFromRow);
  }

  /** The variants and weights of each of the experiment's revisions, oldest first. */
  revisions(experiment: string): RevisionWeights[] {
    return this.sql
      .exec("SELECT * FROM revisions WHERE experiment = ? ORDER BY revision", experiment)
      .toArray()
      .map(revisionFromRow);
  }

  /** `version` grows with every config change; the publisher compares it with what KV holds. */
  publishState(): PublishState {
    const row = this.sql.exec("SELECT * FROM publish_state").toArray()[0];
    if (row === undefined) throw new Error("publish_state row missing");
    return publishStateFromRow(row);
  }

  /** When the last KV write started: the next may start a publish interval later. */
  recordPublishAttempt(atMs: number): void {
    this.sql.exec("UPDATE publish_state SET published_at_ms = ?", atMs);
  }

  /** The config version that KV now holds. */
  recordPublished(version: number): void {
    this.sql.exec("UPDATE publish_state SET published_version = ?", version);
  }

  /** While running, any variant with a positive weight or an override may become sticky. */
  private stickyVariantsAfter(config: ExperimentConfig, before: readonly string[]): string[] {
    if (config.state !== "running") return [...before];
    const sticky = new Set(before);
    for (const v of config.variants) if (v.weight > 0) sticky.add(v.name);
    const overridden = this.sql
      .exec<{ variant: string }>("SELECT DISTINCT variant FROM overrides WHERE experiment = ?", config.name)
      .toArray();
    const configured = new Set(config.variants.map((v) => v.name));
    for (const { variant } of overridden) if (configured.has(variant)) sticky.add(variant);
    return [...sticky].sort();
  }

  private record(name: string): ExperimentRecord | null {
    const row = this.sql.exec("SELECT * FROM experiments WHERE name = ?", name).toArray()[0];
    return row === undefined ? null : experimentFromRow(row);
  }

  /** The holdout as stored, read synchronously: inside a transaction, or for `getHoldout`. */
  private holdoutNow(name: string): HoldoutConfig | null {
    const row = this.sql.exec("SELECT * FROM holdouts WHERE name = ?", name).toArray()[0];
    return row === undefined ? null : holdoutFromRow(row);
  }

  private logHoldout(holdout: string, mutation: string, by: string | null): void {
    this.sql.exec(
      "INSERT INTO holdout_history (holdout, mutation, actor, timestamp_secs) VALUES (?, ?, ?, ?)",
      holdout,
      mutation,
      by,
      nowSecs(),
    );
  }

  /** Records a change in the history, and its webhook deliveries in the same transaction. */
  private log(experiment: string, mutation: string, by: string | null): void {
    this.sql.exec(
      "INSERT INTO history (experiment, mutation, actor, timestamp_secs) VALUES (?, ?, ?, ?)",
      experiment,
      mutation,
      by,
      nowSecs(),
    );
    this.webhooks.emitChange(mutation, () => this.record(experiment)?.config ?? null, by);
  }
}
