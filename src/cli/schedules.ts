import type { ScheduleDefinition } from "../client";
import type { ExperimentState, ScheduleConfig } from "../core";
import { timeText } from "./format";

/**
 * How `apply` reads a file's `schedule` at a given moment. The Worker fires each part at
 * its time and clears it, refuses a time that has passed, and cancels parts itself (a
 * manual start the scheduled start; a conclusion or an archive the whole schedule), so a
 * file written once must not be compared with the Worker as if nothing had happened
 * since: the rules are in {@link scheduledTarget}. Pure: `now` is given.
 */

/** Where a plan brings one experiment, its schedule considered. */
export interface ScheduledTarget {
  state: ExperimentState;
  /** The winner in force with state `concluded`: the file's, a passed conclusion's, or the one stored. */
  winner: string | undefined;
  /** The parts still to fire: what the definition sends, and what is compared with the stored ones. */
  schedule: ScheduleConfig | null;
}

/** What the file declares of one experiment's state, and where the Worker has it. */
export interface ScheduleInputs {
  schedule: ScheduleDefinition | null | undefined;
  /** The file's `state` and `winner`, if it names a state. */
  declared: { state: ExperimentState; winner: string | undefined } | null;
  /** The stored state (`draft` for a new experiment) and the winner in force. */
  current: { state: ExperimentState; winner: string | undefined };
}

/** Whether a scheduled part does something in a state, as the Worker's alarm decides (`fireSchedule`). */
const FIRES: Record<"start" | "conclude", readonly ExperimentState[]> = {
  start: ["draft", "concluded"],
  conclude: ["draft", "running"],
};

/**
 * The state, winner and schedule a plan aims at, at `now` (UNIX seconds), or why the
 * file contradicts itself.
 *
 * 1. A part whose time has passed is done: it fired, was skipped (the history says why)
 *    or was cancelled. It is not sent (the Worker refuses a past time) nor compared.
 * 2. Where the file names a state, that is the state before its schedule: each passed
 *    part moves it on as the alarm did (a start: draft or concluded → running; a
 *    conclusion: draft or running → concluded on the schedule's winner), so that a file
 *    saying `state: draft` with a start that has fired asks for `running`, not for a
 *    return to draft.
 * 3. A part still to come is kept where it would do something (a start of a draft or a
 *    concluded experiment; a conclusion of a draft or a running one, after the start if
 *    there is one). Where the file names a state, one that would do nothing contradicts
 *    it, and the string says why. Where it names none, the stored state stands and such
 *    a part is dropped: a manual start has cancelled the scheduled start on the Worker,
 *    and re-applying the file does not put it back.
 *
 * @example
 * // The start fired at 1_900_000_000; the file still says draft: the target is running, the conclusion kept.
 * scheduledTarget({ schedule: { start_at_secs: 1_900_000_000, conclude_at_secs: 1_900_086_400, winner: "b" },
 *   declared: { state: "draft", winner: undefined }, current: { state: "running", winner: undefined } }, 1_900_000_060)
 * // { state: "running", winner: undefined, schedule: { start_at_secs: null, conclude_at_secs: 1_900_086_400, winner: "b" } }
 */
export function scheduledTarget(inputs: ScheduleInputs, now: number): ScheduledTarget | string {
  const { schedule, declared, current } = inputs;
  const start = schedule?.start_at_secs ?? null;
  const conclude = schedule?.conclude_at_secs ?? null;
  const scheduledWinner = schedule?.winner ?? undefined;
  let { state, winner } = declared ?? current;

  // 2. Passed parts move a named state on, in their order (the start comes first).
  if (declared !== null) {
    if (start !== null && start <= now && FIRES.start.includes(state)) [state, winner] = ["running", undefined];
    if (conclude !== null && conclude <= now && FIRES.conclude.includes(state)) {
      [state, winner] = ["concluded", scheduledWinner];
    }
  }

  // 3. Parts to come, kept where they would do something.
  let startAt = start !== null && start > now ? start : null;
  if (startAt !== null && !FIRES.start.includes(state)) {
    if (declared !== null) return mootPart("start", startAt, state);
    startAt = null;
  }
  let concludeAt = conclude !== null && conclude > now ? conclude : null;
  const stateThen = startAt === null ? state : "running";
  if (concludeAt !== null && !FIRES.conclude.includes(stateThen)) {
    if (declared !== null) return mootPart("conclusion", concludeAt, stateThen);
    concludeAt = null;
  }
  const pending =
    startAt === null && concludeAt === null
      ? null
      : {
          start_at_secs: startAt,
          conclude_at_secs: concludeAt,
          winner: concludeAt === null ? null : (scheduledWinner ?? null),
        };
  return { state, winner, schedule: pending };
}

function mootPart(part: "start" | "conclusion", at: number, state: ExperimentState): string {
  const advice =
    part === "start"
      ? "leave state out, or make it draft or concluded, to start it then"
      : "leave state out, or make it draft or running, to conclude it then";
  return `its schedule's ${part} at ${timeText(at)} would do nothing to an experiment ${state} by then: ${advice}, or remove the ${part}`;
}

/**
 * A stored schedule as the plan compares it at `now`: without the parts whose time has
 * passed, which the alarm is about to fire (within about 2 s) and no file can send.
 */
export function pendingSchedule(schedule: ScheduleConfig | null | undefined, now: number): ScheduleConfig | null {
  if (schedule === null || schedule === undefined) return null;
  const start = schedule.start_at_secs !== null && schedule.start_at_secs > now ? schedule.start_at_secs : null;
  const concluding = schedule.conclude_at_secs !== null && schedule.conclude_at_secs > now;
  if (start === null && !concluding) return null;
  return concluding
    ? { ...schedule, start_at_secs: start }
    : { start_at_secs: start, conclude_at_secs: null, winner: null };
}
