import { ExperimentError, isValidLabel, LIMITS } from "../../core";

const encoder = new TextEncoder();

/**
 * Admits a request bearing `Authorization: Bearer <ADMIN_TOKEN>`. Fails closed: with
 * no token configured, every admin request is refused. The comparison runs in constant
 * time over SHA-256 digests (equal lengths whatever the input), and neither token is
 * ever logged or echoed.
 * @throws {ExperimentError} `admin_disabled`, `unauthorized`
 */
export async function requireAdmin(request: Request, env: { ADMIN_TOKEN?: string }): Promise<void> {
  const expected = env.ADMIN_TOKEN;
  if (expected === undefined || expected === "") {
    throw new ExperimentError("admin_disabled", "the admin API is disabled: no ADMIN_TOKEN is configured");
  }
  const header = request.headers.get("authorization") ?? "";
  const presented = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  const [a, b] = await Promise.all([digest(presented), digest(expected)]);
  if (presented === "" || !crypto.subtle.timingSafeEqual(a, b)) {
    throw new ExperimentError("unauthorized", "a valid admin bearer token is required");
  }
}

function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}

/** The optional `X-Admin-Actor` header, recorded as the change's actor. */
export function adminActor(request: Request): string | null {
  const value = request.headers.get("x-admin-actor");
  if (value === null || value === "") return null;
  if (!isValidLabel(value, LIMITS.maxAdminActorChars)) {
    throw ExperimentError.invalidRequest(
      `X-Admin-Actor must be at most ${LIMITS.maxAdminActorChars} characters without control characters`,
      [{ parameter: "X-Admin-Actor", detail: "not a valid admin actor" }],
    );
  }
  return value;
}
