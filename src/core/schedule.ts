import { ExperimentError } from "./errors";
import type { ExperimentConfig, ScheduleConfig, VariantConfig } from "./types";

/**
 * Schedules (not in the reference): an experiment that starts, concludes, or both, at
 * given times, fired by the registry's alarm. Each part is cleared once it fires, and a
 * manual start, conclude or archive clears the parts it makes moot (`lifecycle.ts`).
 */

/** A definition's schedule: either time may be left out; `winner` goes with `conclude_at_secs`. */
export interface ScheduleDefinition {
  start_at_secs?: number | null;
  conclude_at_secs?: number | null;
  winner?: string | null;
}

/**
 * A definition's schedule as stored: `null` when it schedules nothing.
 *
 * @throws {ExperimentError} `invalid_config` with a `/schedule/...` pointer: a time that is
 *   not whole seconds or not in the future, a conclusion not after the start, a winner
 *   missing for a conclusion (or given without one), or a winner that is not a variant.
 */
export function scheduleConfig(
  definition: ScheduleDefinition | null | undefined,
  variants: readonly VariantConfig[],
  now: number,
): ScheduleConfig | null {
  if (definition === undefined || definition === null) return null;
  const schedule = {
    start_at_secs: definition.start_at_secs ?? null,
    conclude_at_secs: definition.conclude_at_secs ?? null,
    winner: definition.winner ?? null,
  };
  for (const field of ["start_at_secs", "conclude_at_secs"] as const) {
    const at = schedule[field];
    if (at === null) continue;
    if (!Number.isSafeInteger(at)) invalid(field, "must be whole UNIX seconds");
    if (at <= now) invalid(field, `must be in the future (now is ${now})`);
  }
  const { start_at_secs: start, conclude_at_secs: conclude, winner } = schedule;
  if (start !== null && conclude !== null && conclude <= start) {
    invalid("conclude_at_secs", `must be after start_at_secs (${start})`);
  }
  if (conclude !== null && winner === null) invalid("winner", "is required with conclude_at_secs");
  if (conclude === null && winner !== null) invalid("winner", "goes with conclude_at_secs, which is not set");
  if (winner !== null && !variants.some((variant) => variant.name === winner)) {
    invalid("winner", `'${winner}' is not a configured variant`);
  }
  return start === null && conclude === null ? null : schedule;
}

function invalid(field: keyof ScheduleConfig, problem: string): never {
  throw ExperimentError.invalidConfig(`schedule.${field} ${problem}`, [
    { pointer: `/schedule/${field}`, detail: problem },
  ]);
}

/** When the experiment's next scheduled part is due, or `null` when none is pending. */
export function nextScheduledAt(config: Pick<ExperimentConfig, "schedule">): number | null {
  const { schedule } = config;
  if (schedule === null) return null;
  const times = [schedule.start_at_secs, schedule.conclude_at_secs].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times);
}

/** Which part of the schedule is due at `now`, the earlier first: a start, a conclusion, or nothing. */
export function dueSchedulePart(config: Pick<ExperimentConfig, "schedule">, now: number): "start" | "conclude" | null {
  const { schedule } = config;
  if (schedule === null) return null;
  if (schedule.start_at_secs !== null && schedule.start_at_secs <= now) return "start";
  if (schedule.conclude_at_secs !== null && schedule.conclude_at_secs <= now) return "conclude";
  return null;
}

/** The schedule without the part that fired or became moot (`null` when nothing is left). */
export function withoutSchedulePart(
  schedule: ScheduleConfig | null,
  part: "start" | "conclude" | "all",
): ScheduleConfig | null {
  if (schedule === null || part === "all") return null;
  const next =
    part === "start" ? { ...schedule, start_at_secs: null } : { ...schedule, conclude_at_secs: null, winner: null };
  return next.start_at_secs === null && next.conclude_at_secs === null ? null : next;
}
