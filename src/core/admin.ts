import { ExperimentError } from "./errors";
import { type LayerOverview, layersOverview } from "./layers";
import {
  archiveExperiment,
  concludeExperiment,
  defineExperiment,
  type ExperimentDefinition,
  setExperimentCoverage,
  setExperimentWeights,
  startExperiment,
  upsertConfig,
} from "./lifecycle";
import type { ExperimentRepository, OverrideEntry } from "./store";
import { type ChangeRecord, type ExperimentConfig, nowSecs, type VariantConfig } from "./types";
import { LIMITS, requireVariant } from "./validation";

/**
 * The admin operations of the reference service, over any `ExperimentRepository`.
 * Each mutation is one atomic `update` of the repository, recorded in the history with
 * `by` as the change's actor. Used by `ExperimentService` and by the registry Durable
 * Object alike, so both enforce the same lifecycle.
 */
export class ExperimentAdmin {
  constructor(protected readonly repository: ExperimentRepository) {}

  /** The reference's `create`: declares or wholly replaces an experiment. */
  async create(config: ExperimentConfig, by: string | null = null): Promise<ExperimentConfig> {
    return this.repository.update(config.name, (current) => upsertConfig(config, current, nowSecs()), by);
  }

  /**
   * Declares a draft experiment, or replaces the definition of an existing one while
   * keeping its state and winner (archived experiments are frozen).
   */
  async define(
    name: string,
    definition: ExperimentDefinition,
    by: string | null = null,
  ): Promise<{ config: ExperimentConfig; created: boolean }> {
    let created = false;
    const config = await this.repository.update(
      name,
      (current) => {
        created = current === null;
        return defineExperiment(name, definition, current, nowSecs());
      },
      by,
    );
    return { config, created };
  }

  /**
   * Draft or concluded → running. The store runs one mutation at a time, so the other
   * experiments read here are still those when the start is written.
   * @throws `not_found`, `archived`, `layer_overlap`.
   */
  async start(name: string, by: string | null = null): Promise<ExperimentConfig> {
    const others = await this.repository.list();
    return this.repository.update(name, (current) => startExperiment(name, current, nowSecs(), others), by);
  }

  /** Every layer an experiment names, with its experiments and free ranges. */
  async layers(): Promise<LayerOverview[]> {
    return layersOverview(await this.repository.list());
  }

  /** Pins `winner` for every actor; no more exposures. @throws `not_found`, `archived`, `invalid_config`. */
  async conclude(name: string, winner: string, by: string | null = null): Promise<ExperimentConfig> {
    return this.repository.update(name, (current) => concludeExperiment(name, winner, current, nowSecs()), by);
  }

  /** Any state → archived, terminal. @throws `not_found`. */
  async archive(name: string, by: string | null = null): Promise<ExperimentConfig> {
    return this.repository.update(name, (current) => archiveExperiment(name, current, nowSecs()), by);
  }

  /**
   * New weights for new actors; sticky assignments are never re-bucketed.
   * @throws `not_found`, `not_running` (concluded), `archived`, `invalid_config`, `variant_in_use`.
   */
  async setWeights(name: string, variants: VariantConfig[], by: string | null = null): Promise<ExperimentConfig> {
    return this.repository.update(name, (current) => setExperimentWeights(name, variants, current, nowSecs()), by);
  }

  /**
   * A new coverage for new actors, in basis points (a ramp); enrolled actors stay.
   * @throws `not_found`, `not_running` (concluded), `archived`, `invalid_config`.
   */
  async setCoverage(name: string, coverage: number, by: string | null = null): Promise<ExperimentConfig> {
    return this.repository.update(name, (current) => setExperimentCoverage(name, coverage, current, nowSecs()), by);
  }

  /**
   * Pins `actor` to `variant`, bypassing bucketing and exclusion. The override shadows
   * the actor's sticky assignment; it never replaces it.
   * @throws `not_found`, `archived`, `invalid_config`.
   */
  async setOverride(experiment: string, actor: string, variant: string, by: string | null = null): Promise<void> {
    requireVariant(await this.notArchived(experiment), variant);
    const overrides = await this.repository.listOverrides(experiment);
    if (overrides.length >= LIMITS.maxOverrides && !overrides.some((o) => o.actor === actor)) {
      throw ExperimentError.invalidConfig(
        `experiment '${experiment}' has ${overrides.length} overrides, the most it may have; remove one first`,
      );
    }
    await this.repository.setOverride(experiment, actor, variant, by);
  }

  /**
   * Removes an override: the actor gets back the sticky assignment it had before, or,
   * if it had none, is bucketed normally next time.
   * @throws `not_found` for an unknown experiment or override, `archived`.
   */
  async removeOverride(experiment: string, actor: string, by: string | null = null): Promise<void> {
    await this.notArchived(experiment);
    if (!(await this.repository.removeOverride(experiment, actor, by))) {
      throw new ExperimentError("not_found", `no override for actor '${actor}' in experiment '${experiment}'`);
    }
  }

  async overrides(experiment: string): Promise<OverrideEntry[]> {
    await this.status(experiment);
    return this.repository.listOverrides(experiment);
  }

  /** Every experiment, sorted by name. */
  async list(): Promise<ExperimentConfig[]> {
    return this.repository.list();
  }

  /** @throws `not_found`. */
  async status(name: string): Promise<ExperimentConfig> {
    const config = await this.repository.get(name);
    if (config === null) throw ExperimentError.notFound(name);
    return config;
  }

  /** @throws `not_found`, `archived`: an archived experiment is frozen, overrides included. */
  private async notArchived(name: string): Promise<ExperimentConfig> {
    const config = await this.status(name);
    if (config.state === "archived") throw ExperimentError.archived(name);
    return config;
  }

  /** Newest first, at most `limit` records (0: all); empty for an unknown experiment. */
  async history(experiment: string, limit: number): Promise<ChangeRecord[]> {
    return this.repository.history(experiment, limit);
  }
}
