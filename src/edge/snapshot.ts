import type { ExperimentConfig } from "../core";

/** The KV key under which the registry publishes every experiment's config. */
export const SNAPSHOT_KEY = "config-snapshot:v1";

/** What the registry writes to KV: all configs, and a version that grows with each change. */
export interface ConfigSnapshot {
  version: number;
  experiments: ExperimentConfig[];
}

/**
 * A snapshot parsed and indexed once per cache fill, so that a request does only map
 * lookups: configs by name, and each exclusion group's members.
 */
export class CompiledSnapshot {
  readonly version: number;
  private readonly byName = new Map<string, ExperimentConfig>();
  private readonly groups = new Map<string, string[]>();
  /** Running and concluded experiments in name order: the default batch. */
  readonly assignable: readonly string[];

  constructor(snapshot: ConfigSnapshot) {
    this.version = snapshot.version;
    const sorted = [...snapshot.experiments].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const config of sorted) {
      this.byName.set(config.name, config);
      if (config.exclusion_group !== null) {
        const members = this.groups.get(config.exclusion_group) ?? [];
        members.push(config.name);
        this.groups.set(config.exclusion_group, members);
      }
    }
    this.assignable = sorted.filter((c) => c.state === "running" || c.state === "concluded").map((c) => c.name);
  }

  static empty(): CompiledSnapshot {
    return new CompiledSnapshot({ version: 0, experiments: [] });
  }

  get(name: string): ExperimentConfig | null {
    return this.byName.get(name) ?? null;
  }

  /** The other experiments of `experiment`'s exclusion group, whatever their state. */
  siblings(experiment: string, group: string | null): string[] {
    if (group === null) return [];
    return (this.groups.get(group) ?? []).filter((name) => name !== experiment);
  }
}
