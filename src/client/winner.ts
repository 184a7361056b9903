import type { ExperimentConfig } from "./types";

/**
 * The winner that is in force: the config's `winner` while the experiment is concluded,
 * else `null`. An experiment started again keeps its old `winner` in the config (as the
 * reference module does), but nobody is given it any more, so nothing should show or
 * plan from it.
 */
export function winnerInForce(config: Pick<ExperimentConfig, "state" | "winner">): string | null {
  return config.state === "concluded" ? config.winner : null;
}
