import { ExperimentError } from "./errors";
import {
  checkHoldoutDeletable,
  defineHoldout,
  type HoldoutConfig,
  type HoldoutDefinition,
  holdoutMembers,
} from "./holdouts";
import { type LayerOverview, layersOverview } from "./layers";
import {
  archiveExperiment,
  autoStopExperiment,
  concludeExperiment,
  defineExperiment,
  type ExperimentDefinition,
  fireSchedule,
  type GuardrailBreach,
  setExperimentCoverage,
  setExperimentWeights,
  skipSchedule,
  startExperiment,
  upsertConfig,
} from "./lifecycle";
import { dueSchedulePart } from "./schedule";
import type { ExperimentRepository, HoldoutRepository, OverrideEntry } from "./store";
import {
  type ChangeRecord,
  type ExperimentConfig,
  type HoldoutChangeRecord,
  nowSecs,
  type VariantConfig,
} from "./types";
import { LIMITS, requireVariant } from "./validation";

/** Who the history says made a change that a schedule fired. */
export const SCHEDULE_ACTOR = "schedule";
/** Who the history says concluded an experiment on a guardrail. */
export const AUTO_STOP_ACTOR = "auto_stop";

/**
 * The admin operations of the reference service, over any `ExperimentRepository`.
 * Each mutation is one atomic `update` of the repository, recorded in the history with
 * `by` as the change's actor. Used by `ExperimentService` and by the registry Durable
 * Object alike, so both enforce the same lifecycle.
 */
export class ExperimentAdmin {
  /**
   * @param holdouts where holdouts are kept; without it (the in-process service) there
   * are none, and a definition naming one is refused.
   */
  constructor(
    protected readonly repository: ExperimentRepository,
    private readonly holdoutStore: HoldoutRepository | null = null,
  ) {}

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
    if (definition.holdout !== undefined && definition.holdout !== null) await this.requireHoldout(definition.holdout);
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

  /**
   * Fires every scheduled part that is due at `now`, each as its own change recorded by
   * the actor `schedule`; a part that cannot fire (its start would overlap a running
   * experiment of its layer, its winner is no longer configured) is cleared and recorded
   * as skipped, with why. (When the next part is due is `nextScheduledAt`'s to say, for
   * whoever arms the alarm.)
   */
  async runSchedules(now: number): Promise<void> {
    const due = (await this.repository.list()).filter((config) => dueSchedulePart(config, now) !== null);
    for (const { name } of due) {
      // At most both parts of one schedule, the start first: each firing clears its part,
      // so the config is read again before the next.
      for (let fired = 0; fired < 2; fired++) {
        const current = await this.repository.get(name);
        const part = current === null ? null : dueSchedulePart(current, now);
        if (current === null || part === null) break;
        const others = await this.repository.list();
        try {
          await this.repository.update(name, (config) => fireSchedule(name, part, config, now, others), SCHEDULE_ACTOR);
        } catch (error) {
          if (!(error instanceof ExperimentError)) throw error;
          const why = error.code;
          await this.repository.update(
            name,
            (config) => skipSchedule(config ?? current, part, why, now),
            SCHEDULE_ACTOR,
          );
        }
      }
    }
  }

  /**
   * Concludes a running experiment with `auto_stop` on its baseline for a guardrail's
   * breach, recorded by the actor `auto_stop`. @throws `not_found`, `not_running`.
   */
  async autoStop(name: string, breach: GuardrailBreach): Promise<ExperimentConfig> {
    return this.repository.update(
      name,
      (current) => autoStopExperiment(name, breach, current, nowSecs()),
      AUTO_STOP_ACTOR,
    );
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

  // ── Holdouts ──────────────────────────────────────────────────────────────────

  /**
   * Creates or replaces a holdout. Its coverage is fixed once any experiment naming it
   * has run. @throws `invalid_config`, `holdout_locked`.
   */
  async defineHoldout(
    name: string,
    definition: HoldoutDefinition,
    by: string | null = null,
  ): Promise<{ holdout: HoldoutConfig; created: boolean }> {
    const store = this.holdouts();
    const members = holdoutMembers(name, await this.repository.list());
    let created = false;
    const holdout = await store.updateHoldout(
      name,
      (current) => {
        created = current === null;
        return defineHoldout(name, definition, current, members, nowSecs());
      },
      by,
    );
    return { holdout, created };
  }

  /** @throws `not_found`. */
  async holdout(name: string): Promise<HoldoutConfig> {
    const holdout = await this.holdouts().getHoldout(name);
    if (holdout === null) throw new ExperimentError("not_found", `holdout '${name}' not found`);
    return holdout;
  }

  /** Every holdout, by name, with the experiments that name it. */
  async listHoldouts(): Promise<(HoldoutConfig & { members: string[] })[]> {
    const experiments = await this.repository.list();
    return (await this.holdouts().listHoldouts()).map((holdout) => ({
      ...holdout,
      members: holdoutMembers(holdout.name, experiments).map((member) => member.name),
    }));
  }

  /** @throws `not_found`, `holdout_in_use` while an experiment that is not archived names it. */
  async deleteHoldout(name: string, by: string | null = null): Promise<void> {
    const members = holdoutMembers(name, await this.repository.list());
    await this.holdouts().deleteHoldout(name, (current) => checkHoldoutDeletable(name, current, members), by);
  }

  async holdoutHistory(name: string, limit: number): Promise<HoldoutChangeRecord[]> {
    return this.holdouts().holdoutHistory(name, limit);
  }

  /** @throws `invalid_config` (`/holdout`) when no holdout has this name. */
  private async requireHoldout(name: string): Promise<void> {
    const holdout = (await this.holdoutStore?.getHoldout(name)) ?? null;
    if (holdout === null) {
      const problem = `no holdout named '${name}': create it with PUT /v1/admin/holdouts/${name} first`;
      throw ExperimentError.invalidConfig(problem, [{ pointer: "/holdout", detail: problem }]);
    }
  }

  private holdouts(): HoldoutRepository {
    if (this.holdoutStore === null) throw new ExperimentError("not_found", "this store keeps no holdouts");
    return this.holdoutStore;
  }
}
