import type * as v from "valibot";
import type { DefineBody, HoldoutBody } from "../api/schemas";
import type { Holdout, HoldoutDefinition } from "../client";
import { type Definition, type ExperimentConfig, type Layer, type Variant, winnerInForce } from "../client";
import {
  defineHoldout,
  ExperimentError,
  type ExperimentState,
  experimentConfig,
  FULL_COVERAGE,
  type HashVersion,
  hasRun,
  type MetricDefinition,
  metricConfig,
  rangesOverlap,
  scheduleConfig,
  type TargetingCondition,
  validateConfig,
} from "../core";
import { pendingSchedule, type ScheduledTarget, scheduledTarget } from "./schedules";

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

type HoldoutDefined = v.InferOutput<typeof HoldoutBody>;

/** A holdout's definition with every field present, as a holdout `PUT` stores it. */
export type FullHoldout = { [K in keyof HoldoutDefined]-?: Exclude<HoldoutDefined[K], undefined> };

/** The fields a holdout `PUT` compares, in the order the plan names them. */
const HOLDOUT_FIELDS = ["coverage", "description", "metrics"] as const satisfies readonly (keyof FullHoldout)[];

/** One holdout as a file declares it (under `holdouts:`). */
export interface DesiredHoldout {
  name: string;
  /** The definition as written (sent as is): no description and no metrics when left out. */
  definition: HoldoutDefinition;
}

/** The holdouts the Worker has and those a file wants, for {@link plan}. */
export interface HoldoutsToPlan {
  current: readonly Holdout[];
  desired: readonly DesiredHoldout[];
}

const NO_HOLDOUTS: HoldoutsToPlan = { current: [], desired: [] };

/** One admin call, in the order the plan makes them. */
export type Step =
  | { kind: "create_holdout"; name: string; definition: HoldoutDefinition }
  | { kind: "define_holdout"; name: string; definition: HoldoutDefinition; changed: (keyof FullHoldout)[] }
  | { kind: "create"; name: string; definition: Definition }
  | { kind: "define"; name: string; definition: Definition; changed: (keyof FullDefinition)[] }
  | { kind: "weights"; name: string; from: Variant[]; variants: Variant[] }
  | { kind: "coverage"; name: string; from: number; coverage: number }
  | { kind: "start"; name: string }
  | { kind: "conclude"; name: string; winner: string }
  | { kind: "archive"; name: string };

/** Why an experiment (or, with `holdout: true`, a holdout) cannot be brought to what the file says. */
export interface Impossible {
  name: string;
  holdout?: true;
  reason: string;
}

export interface Plan {
  steps: Step[];
  /** Non-empty: the plan must not run at all. */
  impossible: Impossible[];
}

/**
 * Plans `desired` against `current`. Experiments and holdouts the file does not name are
 * left alone; nothing is deleted.
 *
 * 1. Holdouts first (so that experiments can join them): a new one is created, a changed
 *    one replaced (`PUT`); its coverage only while none of its experiments has run.
 * 2. Per experiment: the definition, when it differs (a new one is created; variants
 *    alone or coverage alone use their own route while the experiment is a draft or
 *    running, anything else one definition `PUT`, which keeps the state); then the state
 *    transition, when it differs (`start`, `conclude`, `archive`; a definition `PUT`
 *    never changes state). A holdout it names must exist or be declared. A schedule is
 *    read at `now` (UNIX seconds; the default 0 puts every time in the future): its
 *    parts that have passed count as done and may move a named state on, and only the
 *    parts still to come are sent and compared (`scheduledTarget`); a conclusion cancels
 *    the whole schedule, so a schedule still to come is sent again after one.
 * 3. The starts of experiments in a layer come last, after every step that may free a
 *    range (`conclude`, `archive`), so that one file can hand a range from one experiment
 *    to another; a start whose range would still overlap that of an experiment running
 *    once the plan is carried out is impossible (the Worker's `layer_overlap`).
 *
 * @example
 * plan([], [{ name: "a", definition: { variants: [{ name: "x", weight: 1 }] }, state: "running" }]).steps
 * // [{ kind: "create", … }, { kind: "start", name: "a" }]
 */
export function plan(
  current: readonly ExperimentConfig[],
  desired: readonly DesiredExperiment[],
  holdouts: HoldoutsToPlan = NO_HOLDOUTS,
  now = 0,
): Plan {
  const impossible: Impossible[] = [];
  const holdoutSteps: Step[] = [];
  for (const want of holdouts.desired) {
    const stored = holdouts.current.find((holdout) => holdout.name === want.name) ?? null;
    const result = planHoldout(stored, want, current);
    if (typeof result === "string") impossible.push({ name: want.name, holdout: true, reason: result });
    else holdoutSteps.push(...result);
  }

  const known = new Set([...holdouts.current, ...holdouts.desired].map((holdout) => holdout.name));
  const byName = new Map(current.map((config) => [config.name, config]));
  const targets = new Map<string, ScheduledTarget | string>();
  let steps: Step[] = [];
  for (const want of desired) {
    const stored = byName.get(want.name) ?? null;
    const target = targetOf(stored, want, now);
    targets.set(want.name, target);
    const result = planOne(stored, want, known, target, now);
    if (typeof result === "string") impossible.push({ name: want.name, reason: result });
    else steps.push(...result);
  }

  const running = layersRunningAfter(current, desired, targets);
  const clashes = layerClashes(steps, running);
  impossible.push(...clashes);
  const clashing = new Set(clashes.map((clash) => clash.name));
  steps = steps.filter((step) => !clashing.has(step.name));
  const layeredStart = (step: Step) => step.kind === "start" && running.has(step.name);
  return {
    steps: [...holdoutSteps, ...steps.filter((step) => !layeredStart(step)), ...steps.filter(layeredStart)],
    impossible,
  };
}

/** The steps for one holdout, or why there are none that work. */
function planHoldout(
  current: Holdout | null,
  want: DesiredHoldout,
  experiments: readonly ExperimentConfig[],
): Step[] | string {
  const { name, definition } = want;
  if (current === null) return [{ kind: "create_holdout", name, definition }];
  const full = fullHoldout(definition);
  const changed = HOLDOUT_FIELDS.filter((field) => !sameJson(full[field], current[field]));
  if (changed.length === 0) return [];
  // As the Worker decides it (`holdout_locked`): any experiment naming it, archived ones included.
  const ran = experiments.find((config) => config.holdout === name && hasRun(config));
  if (changed.includes("coverage") && ran !== undefined) {
    return `coverage can only change while none of the holdout's experiments has run ('${ran.name}' has) (${current.coverage} → ${full.coverage})`;
  }
  return [{ kind: "define_holdout", name, definition, changed }];
}

/**
 * The layer slice of every experiment that will be running once the plan is carried out:
 * those the file names in the state and with the layer it gives them, the others as stored.
 */
function layersRunningAfter(
  current: readonly ExperimentConfig[],
  desired: readonly DesiredExperiment[],
  targets: ReadonlyMap<string, ScheduledTarget | string>,
): Map<string, Layer> {
  const running = new Map<string, Layer>();
  const wanted = new Set(desired.map((want) => want.name));
  for (const config of current) {
    if (!wanted.has(config.name) && config.state === "running" && config.layer !== null) {
      running.set(config.name, config.layer);
    }
  }
  for (const want of desired) {
    const target = targets.get(want.name);
    const state =
      typeof target === "object"
        ? target.state
        : (want.state ?? current.find((config) => config.name === want.name)?.state ?? "draft");
    const { layer } = fullDefinition(want.definition);
    if (state === "running" && layer !== null) running.set(want.name, layer);
  }
  return running;
}

/** Each planned start whose layer range overlaps that of another experiment running afterwards. */
function layerClashes(steps: readonly Step[], running: ReadonlyMap<string, Layer>): Impossible[] {
  return steps.flatMap((step) => {
    const layer = step.kind === "start" ? running.get(step.name) : undefined;
    if (layer === undefined) return [];
    const other = [...running].find(
      ([name, slice]) => name !== step.name && slice.name === layer.name && rangesOverlap(slice.range, layer.range),
    );
    if (other === undefined) return [];
    const [otherName, otherSlice] = other;
    return [
      {
        name: step.name,
        reason: `its range ${rangeOf(layer)} of layer '${layer.name}' overlaps ${rangeOf(otherSlice)} of '${otherName}', which would be running (layer_overlap)`,
      },
    ];
  });
}

const rangeOf = ({ range: [start, end] }: Layer) => `[${start}, ${end})`;

/**
 * Where the file brings one experiment at `now`: its state, winner and the schedule
 * still to come ({@link scheduledTarget}), or why its schedule contradicts its state.
 */
function targetOf(current: ExperimentConfig | null, want: DesiredExperiment, now: number): ScheduledTarget | string {
  return scheduledTarget(
    {
      schedule: want.definition.schedule,
      declared: want.state === undefined ? null : { state: want.state, winner: want.winner },
      // A file that names no state keeps the current one, and a concluded experiment's winner with it
      // (a restarted one keeps an old winner in its config, which is not in force).
      current: {
        state: current?.state ?? "draft",
        winner: current ? (winnerInForce(current) ?? undefined) : undefined,
      },
    },
    now,
  );
}

/**
 * The steps for one experiment, or why there are none that work; `holdouts` are those
 * stored or declared, `target` where the file brings it ({@link targetOf}).
 */
function planOne(
  current: ExperimentConfig | null,
  want: DesiredExperiment,
  holdouts: ReadonlySet<string>,
  target: ScheduledTarget | string,
  now: number,
): Step[] | string {
  if (typeof target === "string") return target;
  const { name } = want;
  const { state: to, winner, schedule } = target;
  // What is sent and compared: the file's definition with the parts of its schedule still to come.
  const { schedule: _written, ...rest } = want.definition;
  const definition: Definition = schedule === null ? rest : { ...rest, schedule };
  const full = fullDefinition(definition);
  const from: ExperimentState = current?.state ?? "draft";

  const invalid = invalidity(name, full, to, winner);
  if (invalid !== null) return invalid;
  // One stored already existed when it was set (a holdout cannot be deleted while named).
  if (full.holdout !== null && !holdouts.has(full.holdout) && current?.holdout !== full.holdout) {
    return `no holdout named '${full.holdout}': declare it under holdouts, or create it first (expctl holdout set)`;
  }

  // The state first: where it cannot be reached, what else differs does not matter.
  const transition = transitionStep(name, from, to, current?.winner ?? null, winner);
  if (typeof transition === "string") return transition;
  // A conclusion cancels the whole schedule: what is still to come is sent again after it.
  const resend = transition?.kind === "conclude" && schedule !== null;

  const steps: Step[] = [];
  if (current === null) {
    steps.push({ kind: "create", name, definition });
  } else {
    const stored = { ...current, schedule: pendingSchedule(current.schedule, now) };
    const changed = (Object.keys(full) as (keyof FullDefinition)[]).filter(
      (field) => !sameJson(full[field], stored[field]) && !(resend && field === "schedule"),
    );
    const step = definitionStep(stored, definition, full, changed);
    if (typeof step === "string") return step;
    if (step !== null) steps.push(step);
  }

  if (transition !== null) steps.push(transition);
  if (resend) steps.push({ kind: "define", name, definition, changed: ["schedule"] });
  return steps;
}

/**
 * The one call that changes the `changed` fields of a stored experiment, null when none
 * do, or why none can: variants alone or coverage alone use their own route while the
 * experiment is a draft or running, anything else one definition `PUT`.
 */
function definitionStep(
  current: ExperimentConfig,
  definition: Definition,
  full: FullDefinition,
  changed: (keyof FullDefinition)[],
): Step | null | string {
  const { name, state: from } = current;
  if (changed.length === 0) return null;
  if (from === "archived") return `archived experiments cannot change (${changed.join(", ")} differ)`;
  const locked = changed.find((field) => LOCKED_ONCE_RUN.includes(field));
  if (locked !== undefined && hasRun(current)) {
    // In the Worker's terms: a draft concluded directly never ran, and is locked all the same.
    return `${locked} can only change while the experiment is a draft that never ran (${shown(current[locked])} → ${shown(full[locked])})`;
  }
  const enrolling = from === "draft" || from === "running";
  const only = changed.length === 1 ? changed[0] : undefined;
  if (only === "variants" && enrolling)
    return { kind: "weights", name, from: current.variants, variants: full.variants };
  if (only === "coverage" && enrolling)
    return { kind: "coverage", name, from: current.coverage, coverage: full.coverage };
  return { kind: "define", name, definition, changed };
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
  const full = fullDefinition(want.definition);
  // Without a state, the current one is kept: whether a winner fits depends on it.
  const problem = state === undefined ? configProblem(want.name, full) : invalidity(want.name, full, state, winner);
  // Its times may have passed: a file keeps them once they have fired (`scheduledTarget`).
  return problem ?? scheduleProblem(want.definition);
}

/**
 * What the engine's rules for a schedule (`scheduleConfig`, which the Worker runs on
 * every definition) refuse about this definition's, in the engine's words: a time that
 * is not whole seconds, a conclusion not after the start, a winner missing, alone or not
 * a variant; and, given `now` (UNIX seconds), a time that is not after it. Null when nothing.
 *
 * @example
 * scheduleProblem({ variants: [{ name: "a", weight: 1 }], schedule: { conclude_at_secs: 1_900_000_000 } })
 * // "schedule.winner is required with conclude_at_secs"
 */
export function scheduleProblem(definition: Definition, now = Number.NEGATIVE_INFINITY): string | null {
  try {
    scheduleConfig(definition.schedule, definition.variants, now);
  } catch (error) {
    if (error instanceof ExperimentError) return error.message;
    throw error;
  }
  return null;
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

/** A holdout's definition with every field, as a holdout `PUT` stores it (no description, no metrics when left out). */
export function fullHoldout(definition: HoldoutDefinition): FullHoldout {
  return {
    coverage: definition.coverage,
    description: definition.description ?? null,
    metrics: (definition.metrics ?? []).map((metric) => metricConfig(metric as MetricDefinition)),
  };
}

/**
 * What the engine's rules for holdouts (`defineHoldout`, which the Worker runs on every
 * holdout `PUT`) refuse about holdout `name` with this definition, whatever is stored;
 * null when nothing. That the coverage may no longer change is the Worker's alone.
 *
 * @example
 * holdoutProblem("h", { coverage: 6000 }) // "holdout coverage must be a whole number of basis points from 1 to 5000, found 6000"
 */
export function holdoutProblem(name: string, definition: HoldoutDefinition): string | null {
  try {
    defineHoldout(name, { ...definition, metrics: definition.metrics as MetricDefinition[] | undefined }, null, [], 0);
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

/** A field's value in a plan's words: `none` for null, `checkout [0, 2500)` for a layer. */
function shown(value: FullDefinition[keyof FullDefinition]): string {
  if (value === null) return "none";
  if (typeof value === "object" && "range" in value) return `${value.name} ${rangeOf(value)}`;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
