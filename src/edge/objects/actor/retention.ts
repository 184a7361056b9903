import { nowSecs } from "../../../core";
import { parseSnapshot, SNAPSHOT_KEY } from "../../config/snapshot";

/** How long a concluded experiment's assignments are kept by default, in days. */
export const DEFAULT_ACTOR_RETENTION_DAYS = 400;
/** How often an actor's object with rows looks for rows to let go. */
export const SWEEP_EVERY_MS = 7 * 24 * 3600 * 1000;

/**
 * `ACTOR_RETENTION_DAYS` as a number of days: a whole number of at least 1, else the
 * default (logged).
 */
export function retentionDays(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_ACTOR_RETENTION_DAYS;
  const days = Number(raw);
  if (Number.isSafeInteger(days) && days >= 1) return days;
  console.error(
    `ACTOR_RETENTION_DAYS=${JSON.stringify(raw)} is not a whole number of days from 1; using ${DEFAULT_ACTOR_RETENTION_DAYS}`,
  );
  return DEFAULT_ACTOR_RETENTION_DAYS;
}

/**
 * Which of an actor's stored assignments retention lets go, by the published configs:
 * those of archived experiments, and those of concluded experiments assigned more than
 * `days` ago (a concluded experiment answers its winner to everyone, so they decide
 * nothing any more). `null` when the configs cannot be read: nothing is let go then.
 */
export async function expiredAssignments(
  kv: KVNamespace,
  assignments: ReadonlyMap<string, { assigned_at_secs: number }>,
  days: number,
): Promise<string[] | null> {
  let text: string | null;
  try {
    text = await kv.get(SNAPSHOT_KEY, "text");
  } catch (error) {
    console.error("retention: the configs cannot be read; nothing is let go this time", error);
    return null;
  }
  const snapshot = text === null ? null : parseSnapshot(text);
  if (snapshot === null) return null;
  const states = new Map(snapshot.experiments.map((config) => [config.name, config.state]));
  const cutoff = nowSecs() - days * 24 * 3600;
  return [...assignments]
    .filter(([experiment, row]) => {
      const state = states.get(experiment);
      return state === "archived" || (state === "concluded" && row.assigned_at_secs < cutoff);
    })
    .map(([experiment]) => experiment);
}
