import type { Definition, ExperimentConfig } from "../client";

/** What the dashboard changes through a definition `PUT`: neither has a route of its own. */
export interface DefinitionChange {
  /** The new schedule; `null` schedules nothing. */
  schedule?: NonNullable<Definition["schedule"]> | null;
  auto_stop?: boolean;
}

/**
 * The definition `PUT` that changes only `change`: every field of `config` sent back as it
 * is, since the `PUT` replaces the whole definition (a field left out falls back to its
 * default: no targeting, full coverage, no metrics, no schedule). Give it the config as it
 * is now, read just before, so that another operator's change since the page was read is
 * not undone.
 *
 * The object's type names every field of a definition, `Required<Definition>`, so a field
 * added to the API's definition does not compile until it is carried here too (the `PUT`
 * would otherwise drop it); `undefined` leaves a field out of the JSON.
 * @example
 * await client.define(name, definitionWith(await client.get(name), { auto_stop: true }));
 */
export function definitionWith(config: ExperimentConfig, change: DefinitionChange): Definition {
  const schedule = change.schedule === undefined ? config.schedule : change.schedule;
  const definition: { [K in keyof Required<Definition>]: Definition[K] } = {
    variants: config.variants.map(({ name, weight }) => ({ name, weight })),
    description: config.description,
    exclusion_group: config.exclusion_group,
    targeting: config.targeting,
    coverage: config.coverage,
    hash_version: config.hash_version,
    metrics: config.metrics,
    auto_stop: change.auto_stop ?? config.auto_stop,
    schedule: schedule ?? undefined,
    holdout: config.holdout ?? undefined,
    layer: config.layer ?? undefined,
  };
  return definition;
}
