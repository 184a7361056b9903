// `expctl` run in process, with a fake fetch: what the command-line tests drive it with.
import { run } from "../../../src/cli/main";
import type { FetchLike } from "../../../src/client";

/** One request the command line sent. */
export interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

/**
 * Runs the command line in process against a fake fetch answering from `answers` in turn
 * (the last repeats); `input` is what any file it reads holds, standard input included.
 */
export async function expctl(
  argv: string[],
  answers: (() => Response)[] = [],
  env: Record<string, string> = {},
  input = "",
) {
  const sent: Sent[] = [];
  let stdout = "";
  let stderr = "";
  const fetch: FetchLike = async (url, init) => {
    sent.push({ method: init.method, url, headers: init.headers, body: init.body });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)];
    if (answer === undefined) throw new Error("the test gave no answer");
    return answer();
  };
  const code = await run(argv, {
    env: { EXPCTL_URL: "http://worker.test", EXPCTL_TOKEN: "t0k", ...env },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    readFile: async () => input,
    readStdin: async () => input,
    fetch,
  });
  return { code, stdout, stderr, sent };
}

/** An answer of `status` with `body` as JSON. */
export const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** A problem document's answer. */
export const problem = (status: number, code: string, detail: string, errors?: unknown[]) =>
  json(status, { type: `urn:edge-experiments:problem:${code}`, title: "t", status, code, detail, errors });
