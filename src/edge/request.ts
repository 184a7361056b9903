import { isValidActor, isValidName, LIMITS, type VariantConfig } from "../core";
import { HttpError, invalid } from "./problems";

/**
 * Reads a JSON object body of at most 64 KiB. The limit is enforced while reading, so a
 * lying or absent Content-Length cannot make the Worker buffer more.
 * @throws {HttpError} `payload_too_large`, `invalid_request`
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const tooLarge = new HttpError("payload_too_large", `request body is larger than ${LIMITS.maxBodyBytes} bytes`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > LIMITS.maxBodyBytes) throw tooLarge;
  // `!body`: a bodiless request may present `null` or, through the router's proxy, `undefined`.
  if (!request.body) throw invalid("a JSON object body is required");
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > LIMITS.maxBodyBytes) {
      await reader.cancel();
      throw tooLarge;
    }
    chunks.push(value);
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(concat(chunks, size)));
  } catch {
    throw invalid("the body is not valid UTF-8 JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("the body must be a JSON object");
  return body as Record<string, unknown>;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Refuses body fields this route does not know, so a typo is an error, not a no-op. */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) throw invalid(`unknown field '${field}'; expected ${allowed.join(", ")}`);
  }
}

/** A URL path segment, percent-decoded. @throws {HttpError} `invalid_request` */
export function pathParam(raw: string | undefined, what: string): string {
  try {
    return decodeURIComponent(raw ?? "");
  } catch {
    throw invalid(`${what} is not valid percent-encoded UTF-8`);
  }
}

/** An experiment name from a URL path segment. @throws {HttpError} `invalid_request` */
export function experimentName(raw: string | undefined): string {
  return validExperimentName(pathParam(raw, "the experiment name"));
}

/** @throws {HttpError} `invalid_request` unless `name` is a valid experiment name. */
export function validExperimentName(name: string): string {
  if (!isValidName(name)) {
    throw invalid(`invalid experiment name '${name}': expected ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`);
  }
  return name;
}

export function actorId(value: unknown, where: string): string {
  if (typeof value !== "string" || !isValidActor(value)) {
    throw invalid(
      `${where} must be an actor id of 1 to ${LIMITS.maxActorBytes} UTF-8 bytes without control characters`,
    );
  }
  return value;
}

export function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string") throw invalid(`'${field}' must be a string`);
  return value;
}

export function nullableString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(`'${field}' must be a string or null`);
  return value;
}

/**
 * The `variants` field: an array of `{name, weight}`. Only the shape is checked here;
 * the engine's `validateVariants` owns the rules (and answers `invalid_config`).
 */
export function variantsField(body: Record<string, unknown>): VariantConfig[] {
  const value = body.variants;
  if (!Array.isArray(value)) throw invalid("'variants' must be an array of {name, weight}");
  return value.map((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item))
      throw invalid(`variants[${i}] must be an object`);
    const { name, weight, ...rest } = item as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw invalid(`variants[${i}] has unknown fields`);
    if (typeof name !== "string") throw invalid(`variants[${i}].name must be a string`);
    if (typeof weight !== "number") throw invalid(`variants[${i}].weight must be a number`);
    return { name, weight };
  });
}

/** Printable ASCII, 1 to 128 characters: a client's id we can echo and log safely. */
const REQUEST_ID = /^[\x20-\x7e]{1,128}$/;

/** The client's own valid `X-Request-Id`, or `null`. */
export function clientRequestId(request: Request): string | null {
  const id = request.headers.get("x-request-id");
  return id !== null && REQUEST_ID.test(id) ? id : null;
}
