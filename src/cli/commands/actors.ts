import type { Command } from "commander";
import { attributesOf, parseActor, parseName } from "../args";
import { keyValues, table, timeText } from "../format";
import type { SessionOf } from "../session";
import { one } from "./parsers";

/** `override set|rm|list`, `erase`, `lookup`, `assign`: what one actor sees, and its erasure. */
export function actorCommands(program: Command, sessionOf: SessionOf): void {
  const override = program.command("override").description("pin actors to variants (staff, QA)");

  override
    .command("set")
    .description("pin an actor to a variant; it shadows the actor's own assignment")
    .argument("<name>", "experiment", one(parseName))
    .argument("<actor>", "actor id", one(parseActor))
    .argument("<variant>", "variant")
    .action(async (name: string, actor: string, variant: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.setOverride(name, actor, variant);
      session.show(answer, () => `${actor} sees ${variant} in ${name} (override)\n`);
    });

  override
    .command("rm")
    .alias("remove")
    .description("remove an override: the actor's own assignment, if any, applies again")
    .argument("<name>", "experiment", one(parseName))
    .argument("<actor>", "actor id", one(parseActor))
    .action(async (name: string, actor: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      await session.client.removeOverride(name, actor);
      // 204: no JSON to show, so `--json` prints nothing.
      if (!session.json) session.print(`removed the override of ${actor} in ${name}`);
    });

  override
    .command("list")
    .description("an experiment's overrides")
    .argument("<name>", "experiment", one(parseName))
    .action(async (name: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.overrides(name);
      session.show(answer, () =>
        answer.overrides.length === 0
          ? "no overrides\n"
          : table(
              ["ACTOR", "VARIANT"],
              answer.overrides.map((o) => [o.actor, o.variant]),
            ),
      );
    });

  program
    .command("erase")
    .description("erase an actor everywhere: assignments, overrides, holdout arms, metric totals, event ids")
    .argument("<actor>", "actor id", one(parseActor))
    .action(async (actor: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      await session.client.eraseActor(actor);
      // 204: no JSON to show, so `--json` prints nothing.
      if (!session.json) session.print(`erased ${actor}: its own data is gone; aggregated counts stay`);
    });

  program
    .command("lookup")
    .description("an actor's stored assignment (the override while one exists)")
    .argument("<name>", "experiment", one(parseName))
    .argument("<actor>", "actor id", one(parseActor))
    .action(async (name: string, actor: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.assignment(name, actor);
      session.show(answer, () =>
        keyValues([
          ["experiment", answer.experiment],
          ["actor", answer.actor],
          ["variant", answer.variant],
          ["override", answer.is_override ? "yes" : "no"],
          ["assigned", timeText(answer.assigned_at_secs)],
        ]),
      );
    });

  program
    .command("assign")
    .description("assign an actor as the edge does (public route: stores the assignment and logs an exposure)")
    .argument("<name>", "experiment", one(parseName))
    .requiredOption("--actor <id>", "actor id", one(parseActor))
    .option(
      "--attr <name=value>",
      "an attribute for targeting (repeat)",
      (text: string, previous: string[]) => [...previous, text],
      [],
    )
    .action(async (name: string, options: { actor: string; attr: string[] }, command: Command) => {
      const session = sessionOf(command);
      const attributes = attributesOf(options.attr);
      const answer = await session.client.assign(name, { actor: options.actor, attributes });
      session.show(answer, () =>
        keyValues([
          ["experiment", answer.experiment],
          ["actor", answer.actor],
          ["variant", answer.variant],
          ["override", answer.is_override ? "yes" : "no"],
          // Only when its holdout keeps the actor back: the variant is then the baseline, and it is not enrolled.
          ...(answer.holdout === undefined
            ? []
            : [["held out", `yes, by holdout ${answer.holdout} (not enrolled)`] as const]),
        ]),
      );
    });
}
