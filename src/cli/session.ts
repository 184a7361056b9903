import type { Command } from "commander";
import { ExperimentsClient, type FetchLike } from "../client";
import { parseAdminActor } from "./args";
import { UsageError } from "./errors";

/**
 * Everything `expctl` needs from its host, passed in so that the commands run the same
 * in Node (`src/cli/node.mjs`) and in tests: no command reads `process` itself.
 */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  /** All of standard input, for `-f -`. */
  readStdin(): Promise<string>;
  fetch?: FetchLike;
}

/** The options every command takes, wherever on the line they are given. */
export interface GlobalOptions {
  url?: string;
  token?: string;
  adminActor?: string;
  timeout?: number;
  json?: boolean;
}

export const DEFAULT_URL = "http://localhost:8787";

/** One command's connection and output, from the global options and the environment. */
export class Session {
  readonly client: ExperimentsClient;
  readonly json: boolean;

  constructor(
    readonly io: CliIo,
    options: GlobalOptions,
  ) {
    const url = options.url ?? io.env.EXPCTL_URL ?? DEFAULT_URL;
    const token = options.token ?? io.env.EXPCTL_TOKEN;
    const adminActor = options.adminActor ?? io.env.EXPCTL_ADMIN_ACTOR;
    // Checked here rather than as an option parser: the environment variable needs it too.
    if (adminActor) parseAdminActor(adminActor);
    try {
      this.client = new ExperimentsClient({
        baseUrl: url,
        ...(token ? { token } : {}),
        ...(adminActor ? { adminActor } : {}),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        ...(io.fetch ? { fetch: io.fetch } : {}),
      });
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(`--url (or EXPCTL_URL) '${url}' is not an http(s) URL`);
      throw error;
    }
    this.json = options.json === true;
  }

  /** With `--json`, the API's answer exactly as JSON; else the human text. */
  show(answer: unknown, human: () => string): void {
    this.io.stdout(this.json ? `${JSON.stringify(answer, null, 2)}\n` : human());
  }

  print(text: string): void {
    this.io.stdout(text.endsWith("\n") ? text : `${text}\n`);
  }
}

/** Builds the session of the command being run, from its options and its ancestors'. */
export type SessionOf = (command: Command) => Session;
