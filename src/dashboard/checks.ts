import { canTravelInPath } from "../client";
import { isValidActor, isValidName, LIMITS, NAME_PATTERN, validateVariants } from "../core/validation";

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
