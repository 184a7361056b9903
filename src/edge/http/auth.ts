import { invalidRequest } from "../../api/problems";
import { MAX_ADMIN_ACTOR_CHARS } from "../../api/schemas";
import { ExperimentError, isValidLabel } from "../../core";
import type { AdminIdentity, Call } from "./call";
import { strictHeader } from "./header";

const encoder = new TextEncoder();

interface Token extends AdminIdentity {
  digest: ArrayBuffer;
}

const TOKEN_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * The configured tokens: `ADMIN_TOKENS` (`name:scope:token`, comma-separated, so that a
 * viewer gets a read-only token and tokens rotate one at a time) and `ADMIN_TOKEN` (a
 * `write` token named `admin`). Parsed once per distinct pair of values; a malformed
 * entry disables the admin API (never a partial set), with the reason logged once and
 * no secret in it.
 */
let parsed: { source: string; tokens: Promise<Token[]> | Error } | undefined;
function tokensOf(env: { ADMIN_TOKEN?: string; ADMIN_TOKENS?: string }): Promise<Token[]> | Error {
  const source = `${env.ADMIN_TOKEN ?? ""}\u0000${env.ADMIN_TOKENS ?? ""}`;
  if (parsed?.source === source) return parsed.tokens;
  let tokens: Promise<Token[]> | Error;
  try {
    tokens = digested(declaredTokens(env));
  } catch (error) {
    tokens = error as Error;
    console.error(`the admin tokens are malformed, so the admin API is disabled: ${tokens.message}`);
  }
  parsed = { source, tokens };
  return tokens;
}

function declaredTokens(env: { ADMIN_TOKEN?: string; ADMIN_TOKENS?: string }): (AdminIdentity & { secret: string })[] {
  const declared: (AdminIdentity & { secret: string; where: string })[] = [];
  if (env.ADMIN_TOKEN) {
    if (unpresentable(env.ADMIN_TOKEN)) throw new Error("ADMIN_TOKEN: the token starts or ends with a space");
    declared.push({ name: "admin", scope: "write", secret: env.ADMIN_TOKEN, where: "ADMIN_TOKEN's" });
  }
  const entries = (env.ADMIN_TOKENS ?? "").split(",").map((entry) => entry.trim());
  entries.forEach((entry, i) => {
    // An empty entry (a trailing comma, a doubled one) declares nothing and hides nothing.
    if (entry === "") return;
    const [name = "", scope = "", ...rest] = entry.split(":");
    const secret = rest.join(":");
    // The reason names the entry by its position only: an entry written in the wrong
    // order, or a bare token, would put a secret where the name should be.
    const where = `entry ${i + 1}`;
    if (!TOKEN_NAME.test(name)) throw new Error(`${where}: the name must match ${TOKEN_NAME.source}`);
    if (scope !== "read" && scope !== "write") throw new Error(`${where}: the scope must be read or write`);
    if (secret === "") throw new Error(`${where}: the token is empty`);
    if (unpresentable(secret)) throw new Error(`${where}: the token starts or ends with a space`);
    if (declared.some((t) => t.name === name)) throw new Error(`${where}: its name is used twice`);
    // One token under two names or scopes would silently be the first one's.
    const twin = declared.find((t) => t.secret === secret);
    if (twin !== undefined) throw new Error(`${where}: its token is also ${twin.where}`);
    declared.push({ name, scope, secret, where: `entry ${i + 1}'s` });
  });
  return declared;
}

/**
 * Whether a token starts or ends with whitespace, which no request can present: HTTP
 * trims it from the `Authorization` value, and the Bearer scheme's spaces before it.
 */
function unpresentable(secret: string): boolean {
  return /^\s|\s$/.test(secret);
}

async function digested(declared: (AdminIdentity & { secret: string })[]): Promise<Token[]> {
  return Promise.all(declared.map(async ({ name, scope, secret }) => ({ name, scope, digest: await digest(secret) })));
}

/**
 * Admits a request bearing `Authorization: Bearer <token>` of a configured token and
 * says whose it is. Fails closed: with no token configured, or a malformed
 * `ADMIN_TOKENS`, every admin request is refused. Tokens are compared in constant time
 * over SHA-256 digests (equal lengths whatever the input), every token every time, and
 * no token is ever logged or echoed.
 * @throws {ExperimentError} `admin_disabled`, `unauthorized`
 */
export async function authenticate(
  request: Request,
  env: { ADMIN_TOKEN?: string; ADMIN_TOKENS?: string },
): Promise<AdminIdentity> {
  const configured = tokensOf(env);
  if (configured instanceof Error) {
    throw new ExperimentError(
      "admin_disabled",
      "the admin API is disabled: ADMIN_TOKEN or ADMIN_TOKENS is malformed (see the log)",
    );
  }
  const tokens = await configured;
  if (tokens.length === 0) {
    throw new ExperimentError(
      "admin_disabled",
      "the admin API is disabled: no ADMIN_TOKEN or ADMIN_TOKENS is configured",
    );
  }
  const presented = bearerToken(request.headers.get("authorization") ?? "");
  const candidate = await digest(presented);
  let match: Token | undefined;
  for (const token of tokens) if (crypto.subtle.timingSafeEqual(candidate, token.digest)) match ??= token;
  if (presented === "" || match === undefined) {
    throw new ExperimentError("unauthorized", "a valid admin bearer token is required");
  }
  return { name: match.name, scope: match.scope };
}

/** The credentials of `Bearer <token>`, the scheme in any case (RFC 9110 §11.1); "" for anything else. */
function bearerToken(header: string): string {
  const match = /^bearer +(.*)$/i.exec(header);
  return match?.[1] ?? "";
}

/** @throws {ExperimentError} `forbidden` unless `identity` may call a route of `access`. */
export function requireScope(identity: AdminIdentity, access: "read" | "write"): void {
  if (access === "write" && identity.scope !== "write") {
    throw new ExperimentError("forbidden", `token '${identity.name}' is read-only; this route changes state`);
  }
}

/** The identity the app authenticated, for a handler of an admin route. */
export function adminOf(call: Call): AdminIdentity {
  if (call.admin === null) throw new ExperimentError("unauthorized", "a valid admin bearer token is required");
  return call.admin;
}

/** The history's actor for a change this call makes (see `historyActor`). */
export function changedBy(call: Call): string {
  return historyActor(call.request, adminOf(call));
}

function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/**
 * Who the history records for a change: the token's name, and after a `/` what the
 * optional `X-Admin-Actor` header declares (`ci/ops@example.com`). The token name is
 * what can be trusted; the header only says which person or job used it.
 */
export function historyActor(request: Request, identity: AdminIdentity): string {
  const declared = strictHeader(request, "X-Admin-Actor");
  if (declared === null || declared === "") return identity.name;
  if (!isValidLabel(declared, MAX_ADMIN_ACTOR_CHARS)) {
    throw invalidRequest(
      `X-Admin-Actor must be at most ${MAX_ADMIN_ACTOR_CHARS} characters without control characters`,
      [{ parameter: "X-Admin-Actor", detail: "not a valid admin actor" }],
    );
  }
  return `${identity.name}/${declared}`;
}
