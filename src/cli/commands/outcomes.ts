import { type Command, Option } from "commander";
import type { TrackEvent } from "../../client";
import { ANALYSIS_METHODS, type AnalysisMethod, DEFAULT_ALPHA, DEFAULT_ANALYSIS_METHOD } from "../../core";
import { parseActor, parseAlpha, parseEventId, parseEventTime, parseName, parseTrackEvent, trackEvents } from "../args";
import { resultsText } from "../results";
import type { SessionOf } from "../session";
import { many, one } from "./parsers";

/** `results`: what an experiment measured, and which variant is ahead. */
export function resultsCommand(program: Command, sessionOf: SessionOf): void {
  withResultsOptions(
    program
      .command("results")
      .description(
        "counted enrolments and exposures with the sample-ratio (SRM) check, and each metric's lift and decision",
      )
      .argument("<name>", "experiment", one(parseName)),
  ).action(async (name: string, options: ResultsOptions, command: Command) => {
    const session = sessionOf(command);
    const answer = await session.client.results(name, options);
    session.show(answer, () => resultsText(answer));
  });
}

/** `--method` and `--alpha` of `results`, for an experiment's and a holdout's alike. */
export type ResultsOptions = { method?: AnalysisMethod; alpha?: number };

/** Adds `--method` and `--alpha` to a results command. */
export function withResultsOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--method <method>",
        `how the intervals are made (default: ${DEFAULT_ANALYSIS_METHOD}): sequential is valid however often it is read, fixed (Welch's t test) when read once`,
      ).choices(ANALYSIS_METHODS),
    )
    .option(
      "--alpha <alpha>",
      `significance level, 0 < alpha < 0.5: the intervals are (1 - alpha) (default: ${DEFAULT_ALPHA})`,
      one(parseAlpha),
    );
}

const TRACK_HELP = `
Each event is <event>[=<value>]: the value is what a sum metric adds (default 1,
negative for a refund); a conversion metric ignores it. Events count for the metrics
listening to them in every running experiment the actor is enrolled in, from its
enrolment on, within about a second of being accepted.

Examples:
  expctl track user:1 purchase=42.5 --id order-991
  expctl track user:1 signup page_view page_view
  expctl track user:1 refund=-12 purchase=30 --id refund-17 --id order-992 --at 2026-11-26T03:17:00Z
`;

/** `track`: an actor's events, as the application sends them (public route: no token). */
export function trackCommand(program: Command, sessionOf: SessionOf): void {
  program
    .command("track")
    .description("send an actor's events for the experiments' metrics (public route: no token needed)")
    .argument("<actor>", "actor id", one(parseActor))
    .argument("<events...>", "<event>[=<value>], 1 to 100 of them (e.g. purchase=42.5)", many(parseTrackEvent))
    .option("--id <id>", "a de-duplication id (repeat: one per event, in order)", many(parseEventId))
    .option(
      "--at <time>",
      "when they happened, ISO 8601 with a zone or UNIX seconds, within the last 7 days (default: now)",
      one(parseEventTime),
    )
    .addHelpText("after", TRACK_HELP)
    .action(async (actor: string, events: TrackEvent[], options: { id?: string[]; at?: number }, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.track({ actor, events: trackEvents(events, options) });
      session.show(answer, () => `accepted ${answer.accepted}\n`);
    });
}
