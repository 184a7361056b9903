import { canTravelInPath } from "../client";
import { ExperimentError } from "../core/errors";
import { type ScheduleDefinition, scheduleConfig } from "../core/schedule";
import type { VariantConfig } from "../core/types";
import { isValidActor, isValidName, LIMITS, NAME_PATTERN, validateVariants } from "../core/validation";
import { utc } from "./format";

/**
 * What an operator typed, checked in the page before anything is sent. Each returns the
 * words to show on the field, or `null` when the value may go. The rules are the
 * engine's own, imported from `src/core/validation.ts` (pure, so it bundles into the
 * page), so the page refuses what the API would and no more; it adds the one case the
 * API cannot word: a value that cannot travel as a path segment at all.
 */

/**
 * A value the admin routes take as a path segment must not be `.` or `..`: the runtime
 * resolves dot segments (percent-encoded ones too) before any router sees the path, so
 * the request would reach another route. An empty one (`…/overrides/`) names no resource.
 */
function pathSegmentProblem(value: string, what: string): string | null {
  if (canTravelInPath(value)) return null;
  if (value === "") return `Enter ${what}.`;
  return `'${value}' cannot be ${what} here: a URL path cannot carry it (it reads as a dot segment).`;
}

/**
 * An actor id for the override routes (`…/overrides/:actor`), as the form sends it (trimmed).
 * @example
 * actorProblem("qa:alice") // null
 * actorProblem("..") // "'..' cannot be an actor id here: …"
 */
export function actorProblem(actor: string): string | null {
  const segment = pathSegmentProblem(actor, "an actor id");
  if (segment !== null) return segment;
  return isValidActor(actor)
    ? null
    : `An actor id is 1 to ${LIMITS.maxActorBytes} UTF-8 bytes, without control characters.`;
}

/** A new experiment's name (`PUT /v1/admin/experiments/:name`), as the dialog sends it (trimmed). */
export function experimentNameProblem(name: string): string | null {
  // The pattern refuses `.` and `..` too (a name starts with a letter or a digit); they
  // are worded as what they are.
  const segment = pathSegmentProblem(name, "a name");
  if (segment !== null) return segment;
  return isValidName(name)
    ? null
    : `A name is 1 to 128 characters: it starts with a letter or a digit and holds only letters, digits, '_', '.' and '-' (the API's pattern is ${NAME_PATTERN.source}).`;
}

/**
 * A weight as typed into a number field (whose value is `""` when it holds no number):
 * the weight, or the engine's refusal of it in the engine's words
 * (`weight of variant 'control' must be an integer in [0, 4294967295]`).
 */
export function parseWeight(variant: string, text: string): { weight: number } | { problem: string } {
  const weight = text.trim() === "" ? Number.NaN : Number(text);
  try {
    validateVariants([{ name: variant, weight }]);
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  return { weight };
}

/** A part of a schedule, as the definition names it (and the API's `/schedule/<part>` pointer). */
export type ScheduleField = "start_at_secs" | "conclude_at_secs" | "winner";

/**
 * A schedule as the dialog would send it, judged at `now` (UNIX seconds) by the engine's
 * own rules (`scheduleConfig`: each time in the future, the conclusion after the start, a
 * winner exactly with a conclusion, and that winner a variant): `null` when it may go, else
 * the field the engine points at, with the dialog's words (times in UTC, not in seconds).
 * @example
 * scheduleProblem({ start_at_secs: 1, conclude_at_secs: null, winner: null }, variants, 1_800_000_000)
 * // { field: "start_at_secs", problem: "The start must be in the future: it is now 2027-01-15 08:00 UTC." }
 */
export function scheduleProblem(
  schedule: Required<ScheduleDefinition>,
  variants: readonly VariantConfig[],
  now: number,
): { field: ScheduleField; problem: string } | null {
  try {
    scheduleConfig(schedule, variants, now);
    return null;
  } catch (error) {
    if (!(error instanceof ExperimentError)) throw error;
    const pointer = error.failure.errors?.[0]?.pointer;
    const field = (["start_at_secs", "conclude_at_secs", "winner"] as const).find((f) => pointer === `/schedule/${f}`);
    if (field === undefined) throw error;
    return { field, problem: scheduleWording(field, schedule, now) };
  }
}

function scheduleWording(field: ScheduleField, schedule: Required<ScheduleDefinition>, now: number): string {
  const { start_at_secs: start, conclude_at_secs: conclude, winner } = schedule;
  const past = `it is now ${utc(now)}.`;
  if (field === "start_at_secs") return `The start must be in the future: ${past}`;
  if (field === "conclude_at_secs") {
    return conclude !== null && conclude <= now
      ? `The conclusion must be in the future: ${past}`
      : `The conclusion must come after the start (${start === null ? "—" : utc(start)}).`;
  }
  if (conclude === null) return "A winner goes with a conclusion: set when to conclude, or choose no winner.";
  if (winner === null) return "Choose the winner everyone gets once it concludes.";
  return `'${winner}' is not a variant of this experiment.`;
}
