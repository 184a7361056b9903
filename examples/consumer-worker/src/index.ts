// An example consumer: `GET /?experiment=<name>&actor=<actor>` answers 200 with
// `X-Variant: <variant>`, or `X-Experiment-Error: <code>` when the actor gets none (not
// running, not eligible, …), assigned through the service binding: no HTTP request.
import type { AssignmentAnswer, ExperimentsApi, ExperimentsService } from "../../../src/edge/rpc";

interface Env {
  /** The assignment Worker's `ExperimentsRpc` entrypoint (wrangler.toml `[[services]]`). */
  EXPERIMENTS: ExperimentsService;
  /** The assignment Worker's public origin, for `&via=http` only (the HTTP benchmark's comparison). */
  ASSIGN_URL?: string;
}

// biome-ignore lint/style/noDefaultExport: Wrangler loads the Worker from the default export.
export default {
  async fetch(request, env) {
    const query = new URL(request.url).searchParams;
    const experiments = query.get("via") === "http" ? overHttp(env) : env.EXPERIMENTS;
    let answer: AssignmentAnswer;
    try {
      answer = await experiments.assign(query.get("experiment") ?? "", query.get("actor") ?? "");
    } catch (error) {
      // Refusals are data; a throw means the call itself failed (the binding or, with
      // via=http, the route unreachable). The page is still served, without a variant.
      console.error("assignment failed", error);
      answer = { ok: false, error: { code: "store_unavailable", detail: "the assignment call failed" } };
    }
    const headers: HeadersInit = answer.ok
      ? { "x-variant": headerValue(answer.variant) }
      : { "x-experiment-error": headerValue(answer.error.code) };
    return new Response(null, { headers });
  },
} satisfies ExportedHandler<Env>;

/**
 * A value as a header can carry it: percent-encoded UTF-8 (`encodeURIComponent`), so
 * `control` or `v2_b.test` go as they are and `café` goes as `caf%C3%A9`; decode with
 * `decodeURIComponent`. A variant name is any Unicode text, and a header value is bytes
 * without NUL, CR or LF: set raw, `x\ny` (which a version before the identifier rule
 * stored) makes `Headers` throw, answering 500, and non-ASCII text arrives mangled.
 * `toWellFormed` first, since a lone surrogate would make the encoder throw.
 */
function headerValue(text: string): string {
  return encodeURIComponent(text.toWellFormed());
}

/**
 * The same assignment through the public route (`GET /v1/assign/…` at `ASSIGN_URL`), as
 * the same data: what the HTTP benchmark compares RPC with. Not a pattern to copy.
 */
function overHttp(env: Env): Pick<ExperimentsApi, "assign"> {
  return {
    async assign(experiment, actor) {
      const path = `/v1/assign/${encodeURIComponent(experiment)}?actor=${encodeURIComponent(actor)}`;
      const response = await fetch(`${env.ASSIGN_URL}${path}`);
      if (!response.ok) {
        const { code, detail } = await response.json<Extract<AssignmentAnswer, { ok: false }>["error"]>();
        return { ok: false, error: { code, detail } };
      }
      const { variant, is_override } = await response.json<{ variant: string; is_override: boolean }>();
      return { ok: true, variant, is_override };
    },
  };
}
