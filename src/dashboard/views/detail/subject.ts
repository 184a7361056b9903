import type { ExperimentResults } from "../../../client";

/** What the Results panel needs to know of whose results it shows (an experiment's or a holdout's). */

/**
 * What the Results panel reads: an experiment's results, or a holdout's, which have the
 * same counts, SRM check and metrics for two arms (`held_out`, the baseline, and `exposed`).
 */
export type Measured = Pick<ExperimentResults, "as_of_secs" | "variants" | "srm" | "daily" | "analysis" | "metrics">;

/** Whose results the panel shows. */
export interface Subject {
  kind: "experiment" | "holdout";
  name: string;
  /** The winner in force, tagged in the table (a concluded experiment's). */
  winner?: string | null;
}

/** The words that differ between an experiment's results and a holdout's. */
export const RESULTS_WORDS = {
  experiment: {
    part: "variant",
    units: "enrolments",
    split: "the weights",
    enrolled: "Enrolled",
    caption: "Enrolments and exposures by variant",
    lag: "Counts follow assignments by about a second, and events by a few; Refresh reads them again.",
  },
  holdout: {
    part: "arm",
    units: "actors",
    split: "the holdout's coverage",
    enrolled: "Actors",
    caption: "Actors by arm",
    lag: "An actor is counted in its arm about a minute after it first meets a member experiment, its events a few seconds after they are sent; Refresh reads them again.",
  },
} as const satisfies Record<Subject["kind"], Record<string, string>>;
