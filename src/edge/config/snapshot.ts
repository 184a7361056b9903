import * as v from "valibot";
import { ExperimentConfigSchema } from "../../api/schemas";
import { type PreparedExperiment, prepareExperiment } from "../../core";

/** The KV key under which the registry publishes every experiment's config. */
export const SNAPSHOT_KEY = "config-snapshot:v1";

/**
 * The snapshot's format. A Worker refuses a snapshot of another format (it keeps the
 * one it has) rather than misread it; snapshots written before the field existed are
 * format 1.
 */
export const SNAPSHOT_FORMAT = 1;

/** What the registry writes to KV: all configs, and a version that grows with each change. */
export const ConfigSnapshotSchema = v.object({
  format: v.optional(v.literal(SNAPSHOT_FORMAT), SNAPSHOT_FORMAT),
  version: v.number(),
  experiments: v.array(ExperimentConfigSchema),
  /** Every override, `[experiment, actor, variant]` (at most 1,000 per experiment). */
  overrides: v.optional(v.array(v.tuple([v.string(), v.string(), v.string()])), []),
});

export type ConfigSnapshot = v.InferOutput<typeof ConfigSnapshotSchema>;

/** Parses a KV value; `null` (with the reason logged) when it is not a snapshot this Worker can read. */
export function parseSnapshot(text: string): ConfigSnapshot | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    console.error("config snapshot is not JSON");
    return null;
  }
  const parsed = v.safeParse(ConfigSnapshotSchema, json);
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  console.error("config snapshot does not parse", v.getDotPath(issue) ?? "(root)", issue.message);
  return null;
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

  constructor(snapshot: ConfigSnapshot) {
    this.version = snapshot.version;
    for (const [experiment, actor] of snapshot.overrides) {
      const actors = this.overridden.get(experiment) ?? new Set<string>();
      actors.add(actor);
      this.overridden.set(experiment, actors);
    }
    const sorted = [...snapshot.experiments].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const config of sorted) {
      this.byName.set(config.name, prepareExperiment(config));
      if (config.exclusion_group !== null) {
        const members = this.groups.get(config.exclusion_group) ?? [];
        members.push(config.name);
        this.groups.set(config.exclusion_group, members);
      }
    }
    this.assignable = sorted.filter((c) => c.state === "running" || c.state === "concluded").map((c) => c.name);
  }

  static empty(): CompiledSnapshot {
    return new CompiledSnapshot({ format: SNAPSHOT_FORMAT, version: 0, experiments: [], overrides: [] });
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
