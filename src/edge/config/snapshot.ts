import * as v from "valibot";
import {
  type ExperimentConfig,
  type HoldoutConfig,
  holdoutKey,
  listenersByEvent,
  type MetricListener,
  type MetricSource,
  type PreparedExperiment,
  prepareExperiment,
} from "../../core";
import {
  configFromStoredV1,
  StoredConfigV1Schema,
  StoredHoldoutV1Schema,
  storedConfigV1,
  storedHoldoutV1,
  type WrittenConfigV1,
} from "./stored-config";

/** The KV key under which the registry publishes every experiment's config. */
export const SNAPSHOT_KEY = "config-snapshot:v1";

/**
 * The snapshot's format. A Worker refuses a snapshot of another format (it keeps the
 * one it has) rather than misread it; snapshots written before the field existed are
 * format 1.
 */
export const SNAPSHOT_FORMAT = 1;

/**
 * Format 1 as KV holds it, written apart from the API's schemas (see `StoredConfigV1`).
 * A new format is a new schema beside this one, which `parseSnapshot` then chooses by
 * `format`. Fields added since the first snapshots default: `format` itself, and
 * `overrides`.
 */
export const SnapshotV1Schema = v.object({
  format: v.optional(v.literal(1), 1),
  version: v.number(),
  experiments: v.array(StoredConfigV1Schema),
  /** Every override, `[experiment, actor, variant]` (at most 1,000 per experiment). */
  overrides: v.optional(v.array(v.tuple([v.string(), v.string(), v.string()])), () => []),
  /** Absent before holdouts existed, and written only when there are some: none. */
  holdouts: v.optional(v.array(StoredHoldoutV1Schema), () => []),
  /**
   * Actors erased recently, `[erasureKey, erased_at_secs]`: absent before erasure
   * existed, and written only when there are some.
   */
  erasures: v.optional(v.array(v.tuple([v.string(), v.number()])), () => []),
});

export type SnapshotV1 = v.InferOutput<typeof SnapshotV1Schema>;

/** What the registry publishes: all configs, and a version that grows with each change. */
export interface ConfigSnapshot {
  version: number;
  experiments: ExperimentConfig[];
  /** Every override of a running experiment, `[experiment, actor, variant]`. */
  overrides: [string, string, string][];
  /** Every holdout (absent: none). */
  holdouts?: HoldoutConfig[];
  /** Actors erased within `ERASURE_MEMORY_SECS`, `[erasureKey, erased_at_secs]` (absent: none). */
  erasures?: [string, number][];
}

/** Parses a KV value; `null` (with the reason logged) when it is not a snapshot this Worker can read. */
export function parseSnapshot(text: string): ConfigSnapshot | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    console.error("config snapshot is not JSON");
    return null;
  }
  const parsed = v.safeParse(SnapshotV1Schema, json);
  if (parsed.success) return snapshotFromV1(parsed.output);
  const issue = parsed.issues[0];
  console.error("config snapshot does not parse", v.getDotPath(issue) ?? "(root)", issue.message);
  return null;
}

/** A stored format-1 snapshot as the edge uses it. */
function snapshotFromV1(stored: SnapshotV1): ConfigSnapshot {
  return {
    version: stored.version,
    experiments: stored.experiments.map(configFromStoredV1),
    overrides: stored.overrides,
    holdouts: stored.holdouts,
    erasures: stored.erasures,
  };
}

/**
 * The KV value for `snapshot`, in the current format: what the registry writes.
 *
 * @example
 * await kv.put(SNAPSHOT_KEY, encodeSnapshot({ version: 7, experiments, overrides: [] }));
 */
export function encodeSnapshot(snapshot: ConfigSnapshot): string {
  const holdouts = snapshot.holdouts ?? [];
  const erasures = snapshot.erasures ?? [];
  const stored: Omit<SnapshotV1, "experiments" | "holdouts" | "erasures"> & {
    experiments: WrittenConfigV1[];
    holdouts?: SnapshotV1["holdouts"];
    erasures?: SnapshotV1["erasures"];
  } = {
    format: SNAPSHOT_FORMAT,
    version: snapshot.version,
    experiments: snapshot.experiments.map(storedConfigV1),
    overrides: snapshot.overrides,
    // Only when there are some: a snapshot without holdouts is written as before they existed.
    ...(holdouts.length > 0 ? { holdouts: holdouts.map(storedHoldoutV1) } : {}),
    ...(erasures.length > 0 ? { erasures: erasures.map(([key, at]) => [key, at] as [string, number]) } : {}),
  };
  return JSON.stringify(stored);
}

/**
 * A snapshot parsed and indexed once per cache fill, so that a request does only map
 * lookups: configs by name with their targeting compiled, and each exclusion group's
 * members.
 */
export class CompiledSnapshot {
  readonly version: number;
  private readonly byName = new Map<string, PreparedExperiment>();
  private readonly groups = new Map<string, string[]>();
  /** The actors with an override, by experiment. */
  private readonly overridden = new Map<string, Set<string>>();
  /** Running and concluded experiments in name order: the default batch. */
  readonly assignable: readonly string[];
  /** Running experiments' metrics, by the event each listens to. */
  private readonly byEvent: Map<string, MetricListener[]>;
  /** Recently erased actors: erasure key → when. */
  private readonly erasures: ReadonlyMap<string, number>;

  constructor(snapshot: ConfigSnapshot) {
    this.version = snapshot.version;
    for (const [experiment, actor] of snapshot.overrides) {
      const actors = this.overridden.get(experiment) ?? new Set<string>();
      actors.add(actor);
      this.overridden.set(experiment, actors);
    }
    const sorted = [...snapshot.experiments].sort((a, b) => (a.name < b.name ? -1 : 1));
    const holdouts = new Map((snapshot.holdouts ?? []).map((holdout) => [holdout.name, holdout]));
    for (const config of sorted) {
      const holdout = config.holdout === null ? null : (holdouts.get(config.holdout) ?? null);
      this.byName.set(config.name, prepareExperiment(config, holdout));
      if (config.exclusion_group !== null) {
        const members = this.groups.get(config.exclusion_group) ?? [];
        members.push(config.name);
        this.groups.set(config.exclusion_group, members);
      }
    }
    this.assignable = sorted.filter((c) => c.state === "running" || c.state === "concluded").map((c) => c.name);
    this.byEvent = listenersByEvent(metricSources(sorted, holdouts.values()));
    this.erasures = new Map(snapshot.erasures ?? []);
  }

  /** Whether any actor was erased recently: only then is an actor's erasure key worth computing. */
  get hasErasures(): boolean {
    return this.erasures.size > 0;
  }

  /** When the actor with this erasure key was erased (UNIX seconds), or `null`. */
  erasedAt(key: string): number | null {
    return this.erasures.get(key) ?? null;
  }

  /** The metrics of running experiments that listen to `event` (tracked events count only there). */
  listeners(event: string): readonly MetricListener[] {
    return this.byEvent.get(event) ?? [];
  }

  static empty(): CompiledSnapshot {
    return new CompiledSnapshot({ version: 0, experiments: [], overrides: [] });
  }

  get(name: string): PreparedExperiment | null {
    return this.byName.get(name) ?? null;
  }

  /** Whether `actor` has an override in `experiment`, as of this snapshot. */
  hasOverride(experiment: string, actor: string): boolean {
    return this.overridden.get(experiment)?.has(actor) ?? false;
  }

  /** The other experiments of `experiment`'s exclusion group, whatever their state. */
  siblings(experiment: string, group: string | null): string[] {
    if (group === null) return [];
    return (this.groups.get(group) ?? []).filter((name) => name !== experiment);
  }
}

/**
 * What counts tracked events: each running experiment's metrics, and each holdout's
 * (under its key) while any of its members runs.
 */
function metricSources(experiments: readonly ExperimentConfig[], holdouts: Iterable<HoldoutConfig>): MetricSource[] {
  const running = experiments.filter((config) => config.state === "running");
  const withRunningMember = new Set(running.map((config) => config.holdout));
  return [
    ...running.map(({ name, metrics }) => ({ key: name, listening: true, metrics })),
    ...[...holdouts].map(({ name, metrics }) => ({
      key: holdoutKey(name),
      listening: withRunningMember.has(name),
      metrics,
    })),
  ];
}
