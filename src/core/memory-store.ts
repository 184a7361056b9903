import { type ActorRecords, type AssignOutcome, type AssignRequest, resolveAtStore } from "./assignment";
import { ExperimentError } from "./errors";
import type { Change } from "./lifecycle";
import type { ExperimentStore, OverrideEntry } from "./store";
import { type Assignment, type ChangeRecord, type ExperimentConfig, nowSecs } from "./types";

const key = (experiment: string, actor: string) => `${experiment}\u0000${actor}`;
const clone = <T>(value: T): T => structuredClone(value);

/**
 * An `ExperimentStore` in process memory: for tests and single-process use. Every
 * method runs to completion without awaiting, so JavaScript's single thread is its
 * per-actor lock. Its delete-variant guard is exact: it knows every sticky assignment.
 */
export class InMemoryExperimentStore implements ExperimentStore {
  private readonly experiments = new Map<string, ExperimentConfig>();
  private readonly assignments = new Map<string, Assignment>();
  private readonly overrides = new Map<string, string>();
  private readonly changes = new Map<string, ChangeRecord[]>();

  async get(name: string): Promise<ExperimentConfig | null> {
    const config = this.experiments.get(name);
    return config === undefined ? null : clone(config);
  }

  async list(): Promise<ExperimentConfig[]> {
    return [...this.experiments.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(clone);
  }

  async update(
    name: string,
    change: (current: ExperimentConfig | null) => Change,
    by: string | null,
  ): Promise<ExperimentConfig> {
    const { config, mutation } = change(this.experiments.get(name) ?? null);
    const kept = new Set(config.variants.map((v) => v.name));
    for (const assignment of this.assignments.values()) {
      if (assignment.experiment === name && !kept.has(assignment.variant)) {
        throw ExperimentError.variantInUse(assignment.variant);
      }
    }
    this.experiments.set(name, clone(config));
    this.log(name, mutation, by);
    return clone(config);
  }

  async history(experiment: string, limit: number): Promise<ChangeRecord[]> {
    const newestFirst = [...(this.changes.get(experiment) ?? [])].reverse();
    return limit === 0 ? newestFirst : newestFirst.slice(0, limit);
  }

  async setOverride(experiment: string, actor: string, variant: string, by: string | null): Promise<void> {
    this.overrides.set(key(experiment, actor), variant);
    this.log(experiment, `override=${actor}:${variant}`, by);
  }

  async removeOverride(experiment: string, actor: string, by: string | null): Promise<boolean> {
    const k = key(experiment, actor);
    if (!this.overrides.delete(k)) return false;
    if (this.assignments.get(k)?.is_override) this.assignments.delete(k);
    this.log(experiment, `override_removed=${actor}`, by);
    return true;
  }

  async listOverrides(experiment: string): Promise<OverrideEntry[]> {
    const prefix = key(experiment, "");
    return [...this.overrides]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, variant]) => ({ actor: k.slice(prefix.length), variant }))
      .sort((a, b) => (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0));
  }

  async assign(actor: string, requests: readonly AssignRequest[]): Promise<AssignOutcome[]> {
    const records = this.recordsOf(actor);
    return requests.map((request) => resolveAtStore(records, request, this.siblings(request)));
  }

  async getAssignment(experiment: string, actor: string): Promise<Assignment | null> {
    const assignment = this.assignments.get(key(experiment, actor));
    return assignment === undefined ? null : clone(assignment);
  }

  /** The other experiments of the request's exclusion group, as configured now. */
  private siblings(request: AssignRequest): string[] {
    if (request.exclusion_group === null) return [];
    return [...this.experiments.values()]
      .filter((c) => c.exclusion_group === request.exclusion_group && c.name !== request.experiment)
      .map((c) => c.name);
  }

  private recordsOf(actor: string): ActorRecords {
    return {
      override: (experiment) => this.overrides.get(key(experiment, actor)) ?? null,
      assignment: (experiment) => this.assignments.get(key(experiment, actor)) ?? null,
      hasAssignmentIn: (experiments) => experiments.some((e) => this.assignments.has(key(e, actor))),
      put: (experiment, variant, isOverride) => {
        this.assignments.set(key(experiment, actor), {
          experiment,
          actor,
          variant,
          is_override: isOverride,
          assigned_at_secs: nowSecs(),
        });
      },
    };
  }

  private log(experiment: string, mutation: string, by: string | null): void {
    const records = this.changes.get(experiment) ?? [];
    records.push({ experiment, mutation, actor: by, timestamp_secs: nowSecs() });
    this.changes.set(experiment, records);
  }
}
