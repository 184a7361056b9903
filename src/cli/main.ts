import { Command, CommanderError } from "commander";
import { ApiError, InputError, NetworkError } from "../client";
import { parseTimeout } from "./args";
import { actorCommands } from "./commands/actors";
import { applyCommand } from "./commands/apply";
import { experimentCommands } from "./commands/experiments";
import { holdoutCommands } from "./commands/holdouts";
import { trackCommand } from "./commands/outcomes";
import { one } from "./commands/parsers";
import { webhookCommands } from "./commands/webhooks";
import { EXIT, UsageError } from "./errors";
import { refusalText } from "./format";
import { type CliIo, DEFAULT_URL, type GlobalOptions, Session } from "./session";

const HELP_AFTER = `
Connection:
  --url, or EXPCTL_URL (default ${DEFAULT_URL}); --token, or EXPCTL_TOKEN (the admin
  bearer token); --admin-actor, or EXPCTL_ADMIN_ACTOR (who the history records).

Exit codes:
  0  success
  1  the API refused (prints "code: detail"), or apply planned an impossible step
  2  usage error: a wrong command line, or an invalid apply file
  3  the Worker could not be reached, or did not answer in time

Examples:
  expctl create checkout_v2 --variant control=50 --variant treatment=50 --description "New checkout flow"
  expctl create promo_v1 --variant a=1 --variant b=1 --start-at 2026-12-24T09:00:00Z \
    --conclude-at 2027-01-07T09:00:00Z --winner b
  expctl holdout set h2026 --coverage 500 --metric purchase:conversion
  expctl create search_v3 --variant a=1 --variant b=1 --layer search:0-5000 --holdout h2026
  expctl layers
  expctl start checkout_v2
  expctl weights checkout_v2 control=10 treatment=90
  expctl override set checkout_v2 qa:alice treatment
  expctl track user:1 purchase=42.5 --id order-991
  expctl results checkout_v2 --method fixed --alpha 0.01
  expctl holdout results h2026
  expctl conclude checkout_v2 --winner treatment
  expctl webhook set ops https://hooks.example.com/experiments --event experiment.concluded
  expctl apply -f experiments.yaml --dry-run
`;

/**
 * Runs `expctl` with `argv` (the arguments after the program name) and resolves with
 * its exit code; all input and output goes through `io`.
 *
 * @example
 * const code = await run(["list", "--json"], { env: process.env, stdout: (t) => process.stdout.write(t), … });
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("expctl")
    .description(
      "Operate the edge-experiments Worker: experiments, layers, holdouts, overrides, assignments, events and results, webhooks, declarative apply.",
    )
    // Before any subcommand is added, so that every one inherits them.
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(expctl --help shows the usage)")
    .option("--url <url>", "the Worker's URL [env EXPCTL_URL]")
    .option("--token <token>", "the admin bearer token [env EXPCTL_TOKEN]")
    .option("--admin-actor <who>", "X-Admin-Actor: who the history records [env EXPCTL_ADMIN_ACTOR]")
    .option("--timeout <ms>", "how long to wait for each answer (default 10000)", one(parseTimeout))
    .option("--json", "print the API's JSON instead of tables")
    .addHelpText("after", HELP_AFTER);

  const sessionOf = (command: Command) => new Session(io, command.optsWithGlobals<GlobalOptions>());
  experimentCommands(program, sessionOf);
  holdoutCommands(program, sessionOf);
  actorCommands(program, sessionOf);
  trackCommand(program, sessionOf);
  webhookCommands(program, sessionOf);
  applyCommand(program, sessionOf, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return exitCodeOf(error, io);
  }
}

/** Reports a failure and chooses the exit code for it. */
function exitCodeOf(error: unknown, io: CliIo): number {
  // Commander has printed its own message (or the help) already.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  // The typed client refused to send (an actor `..` in a path): a usage error too, nothing was sent.
  if (error instanceof UsageError || error instanceof InputError) {
    io.stderr(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof ApiError) {
    io.stderr(refusalText(error));
    return EXIT.refused;
  }
  if (error instanceof NetworkError) {
    io.stderr(`unreachable: ${error.message}\n`);
    return EXIT.unreachable;
  }
  throw error;
}
