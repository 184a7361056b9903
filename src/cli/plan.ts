import type * as v from "valibot";
import type { DefineBody } from "../api/schemas";
import { type Definition, type ExperimentConfig, type Variant, winnerInForce } from "../client";
import {
  ExperimentError,
  type ExperimentState,
  experimentConfig,
  FULL_COVERAGE,
  type HashVersion,
  hasRun,
  type MetricDefinition,
  metricConfig,
  type TargetingCondition,
  validateConfig,
} from "../core";

/**
 * `expctl apply`'s planner: from the experiments the Worker has and those a file wants,
 * the fewest admin calls that make the Worker match, or why it cannot. Pure: no HTTP,
 * no clock, so every case is a unit test.
 */

type Defined = v.InferOutput<typeof DefineBody>;

/** A definition with every field present, as the Worker stores it after a definition `PUT` (no layer: `null`). */
export type FullDefinition = {
  [K in keyof Defined]-?: Exclude<Defined[K], undefined> | (K extends "layer" | "holdout" | "schedule" ? null : never);
};

/**
 * What a definition `PUT` assumes for a field it is not given: it replaces the whole
 * definition, so a field left out of the file is this, not the previous value. A field
 * added to `DefineBody` does not compile until it has a default here.
 */
export const DEFINITION_DEFAULTS: Omit<FullDefinition, "variants"> = {
  description: null,
  exclusion_group: null,
  targeting: [],
  coverage: FULL_COVERAGE,
  hash_version: 1,
  metrics: [],
  layer: null,
  holdout: null,
  schedule: null,
  auto_stop: false,
};

/** Fields the Worker fixes unless the experiment is a draft that never ran (`group_locked`, `hash_locked`, `layer_locked`, `holdout_locked`). */
const LOCKED_ONCE_RUN: readonly (keyof FullDefinition)[] = ["exclusion_group", "hash_version", "layer", "holdout"];

/** One experiment as a file declares it. */
export interface DesiredExperiment {
  name: string;
  /** The definition as written (sent as is); fields left out take {@link DEFINITION_DEFAULTS}. */
  definition: v.InferOutput<typeof DefineBody>;
  /** Absent: whatever state the experiment is in (a new one stays a draft). */
  state?: ExperimentState;
  /** Required with `state: concluded`, and only there. */
  winner?: string;
}

/** One admin call, in the order the plan makes them. */
export type Step =
  | { kind: "create"; name: string; definition: Definition }
  | { kind: "define"; name: string; definition: Definition; changed: (keyof FullDefinition)[] }
  | { kind: "weights"; name: string; from: Variant[]; variants: Variant[] }
  | { kind: "coverage"; name: string; from: number; coverage: number }
  | { kind: "start"; name: string }
  | { kind: "conclude"; name: string; winner: string }
  | { kind: "archive"; name: string };

/** Why an experiment cannot be brought to what the file says. */
export interface Impossible {
  name: string;
  reason: string;
}

export interface Plan {
  steps: Step[];
  /** Non-empty: the plan must not run at all. */
  impossible: Impossible[];
}

/**
 * Plans `desired` against `current`. Experiments the file does not name are left alone.
 * Per experiment: 1. the definition, when it differs (a new one is created; variants
 * alone or coverage alone use their own route while the experiment is a draft or
 * running, anything else one definition `PUT`, which keeps the state); 2. the state
 * transition, when it differs (`start`, `conclude`, `archive`; a definition `PUT` never
 * changes state).
 *
 * @example
 * plan([], [{ name: "a", definition: { variants: [{ name: "x", weight: 1 }] }, state: "running" }]).steps
 * // [{ kind: "create", … }, { kind: "start", name: "a" }]
 */
export function plan(current: readonly ExperimentConfig[], desired: readonly DesiredExperiment[]): Plan {
  const byName = new Map(current.map((config) => [config.name, config]));
  const steps: Step[] = [];
  const impossible: Impossible[] = [];
  for (const want of desired) {
    const result = planOne(byName.get(want.name) ?? null, want);
    if (typeof result === "string") impossible.push({ name: want.name, reason: result });
    else steps.push(...result);
  }
  return { steps, impossible };
}

/** The steps for one experiment, or why there are none that work. */
function planOne(current: ExperimentConfig | null, want: DesiredExperiment): Step[] | string {
  const { name } = want;
  const full = fullDefinition(want.definition);
  const from: ExperimentState = current?.state ?? "draft";
  const to: ExperimentState = want.state ?? from;
  // A file that names no state keeps the current one, and a concluded experiment's winner with it
  // (a restarted one keeps an old winner in its config, which is not in force).
  const inForce = current ? (winnerInForce(current) ?? undefined) : undefined;
  const winner = want.winner ?? (want.state === undefined ? inForce : undefined);

  const invalid = invalidity(name, full, to, winner);
  if (invalid !== null) return invalid;

  // The state first: where it cannot be reached, what else differs does not matter.
  const transition = transitionStep(name, from, to, current?.winner ?? null, winner);
  if (typeof transition === "string") return transition;

  const steps: Step[] = [];
  if (current === null) {
    steps.push({ kind: "create", name, definition: want.definition });
  } else {
    const changed = (Object.keys(full) as (keyof FullDefinition)[]).filter(
      (field) => !sameJson(full[field], current[field]),
    );
    if (changed.length > 0) {
      if (from === "archived") return `archived experiments cannot change (${changed.join(", ")} differ)`;
      const locked = changed.find((field) => LOCKED_ONCE_RUN.includes(field));
      if (locked !== undefined && hasRun(current)) {
        // In the Worker's terms: a draft concluded directly never ran, and is locked all the same.
        return `${locked} can only change while the experiment is a draft that never ran (${shown(current[locked])} → ${shown(full[locked])})`;
      }
      const enrolling = from === "draft" || from === "running";
      const only = changed.length === 1 ? changed[0] : undefined;
      if (only === "variants" && enrolling) {
        steps.push({ kind: "weights", name, from: current.variants, variants: full.variants });
      } else if (only === "coverage" && enrolling) {
        steps.push({ kind: "coverage", name, from: current.coverage, coverage: full.coverage });
      } else {
        steps.push({ kind: "define", name, definition: want.definition, changed });
      }
    }
  }

  if (transition !== null) steps.push(transition);
  return steps;
}

/** The one call from `from` to `to`: null when already there, a string when there is none. */
function transitionStep(
  name: string,
  from: ExperimentState,
  to: ExperimentState,
  currentWinner: string | null,
  winner: string | undefined,
): Step | null | string {
  if (from === "archived") return to === "archived" ? null : `archived is final (archived → ${to})`;
  switch (to) {
    case "draft":
      // Not "it has run": `conclude` takes a draft as it is, and that one never ran.
      return from === "draft" ? null : `no call brings an experiment back to draft (${from} → draft)`;
    case "running":
      return from === "running" ? null : { kind: "start", name };
    case "concluded":
      // `invalidity` made sure that a concluded experiment names its winner.
      if (winner === undefined) return "state concluded needs a winner";
      return from === "concluded" && currentWinner === winner ? null : { kind: "conclude", name, winner };
    case "archived":
      return { kind: "archive", name };
  }
}

/**
 * What the Worker's rules refuse about an experiment as a file declares it, whatever is
 * stored: its definition, a state and winner that do not go together (`concluded`
 * without a winner, a winner with another state), a winner that is not one of its
 * variants. Null when nothing. `apply` checks every entry so before anything is sent
 * (exit 2); what depends on what is stored is the plan's (`impossible`, exit 1).
 *
 * @example
 * declarationProblem({ name: "a", definition: { variants: [] } })
 * // "an experiment needs at least one variant"
 */
export function declarationProblem(want: DesiredExperiment): string | null {
  const { state, winner } = want;
  // Without a state, the current one is kept: whether a winner fits depends on it.
  if (state === undefined) return configProblem(want.name, fullDefinition(want.definition));
  return invalidity(want.name, fullDefinition(want.definition), state, winner);
}

/**
 * What the Worker would refuse about experiment `name` in state `to` with `winner`,
 * checked with the engine's own rules before any call, so that an invalid file changes
 * nothing. The planner checks the state and winner in force (a file that names no state
 * keeps the current ones), {@link declarationProblem} those the file names.
 */
function invalidity(name: string, full: FullDefinition, to: ExperimentState, winner: string | undefined) {
  if (to === "concluded" && winner === undefined) return "state concluded needs a winner";
  if (to !== "concluded" && winner !== undefined) return `a winner is only for state concluded (state is ${to})`;
  return configProblem(name, full, to, winner ?? null);
}

/** A definition with every field, as a definition `PUT` stores it: a field left out takes its default. */
export function fullDefinition(definition: v.InferInput<typeof DefineBody>): FullDefinition {
  const { variants, metrics, ...fields } = definition;
  // The cast: the input leaves a condition's `case_insensitive` optional, which the engine reads as false.
  return {
    variants,
    ...DEFINITION_DEFAULTS,
    ...withoutUndefined(fields),
    // Each metric with its defaults, as the Worker stores it, so that a file that leaves
    // them out does not differ from what is stored.
    metrics: (metrics ?? []).map((metric) => metricConfig(metric as MetricDefinition)),
  } as FullDefinition;
}

/**
 * What the engine's config rules (`validateConfig`, which the Worker runs on every
 * definition) refuse about experiment `name` with this definition, in the engine's
 * words; null when nothing. Rules that depend on what is stored (a group that may no
 * longer change, a removed variant with assignments) are the Worker's alone.
 *
 * @example
 * configProblem("a", fullDefinition({ variants: [{ name: "x", weight: 1 }, { name: "x", weight: 2 }] }))
 * // "duplicate variant name: 'x'"
 */
export function configProblem(
  name: string,
  full: FullDefinition,
  state: ExperimentState = "draft",
  winner: string | null = null,
): string | null {
  try {
    // The definition's schema leaves operators and the hash version to the engine: its
    // `validateConfig` is what checks them here, as it does on the Worker.
    const config = experimentConfig(name, full.variants, {
      ...full,
      targeting: full.targeting as TargetingCondition[],
      hash_version: full.hash_version as HashVersion,
      metrics: full.metrics.map((metric) => metricConfig(metric as MetricDefinition)),
      // Its times are the Worker's to check against its clock when the definition arrives.
      schedule: null,
    });
    validateConfig({ ...config, state, winner });
  } catch (error) {
    if (error instanceof ExperimentError) return error.message;
    throw error;
  }
  return null;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** Deep equality of JSON values, whatever the order of object keys; arrays keep their order (variant order matters). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  const aRecord = a as Record<string, unknown>;
  return (
    aKeys.length === Object.keys(b).length &&
    aKeys.every((key) => Object.hasOwn(b, key) && sameJson(aRecord[key], bRecord[key]))
  );
}

/** A field's value in a plan's words: `none` for null, JSON for a layer. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return "none";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
