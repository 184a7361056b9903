import * as v from "valibot";
import { ExperimentError, type FieldError, LIMITS } from "../../core";

/**
 * Reads a JSON object body of at most 64 KiB. The limit is enforced while reading, so a
 * lying or absent Content-Length cannot make the Worker buffer more.
 * @throws {ExperimentError} `payload_too_large`, `invalid_request`
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const tooLarge = new ExperimentError("payload_too_large", `request body is larger than ${LIMITS.maxBodyBytes} bytes`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > LIMITS.maxBodyBytes) throw tooLarge;
  // `!body`: a bodiless request may present `null` or, through the router's proxy, `undefined`.
  if (!request.body) throw ExperimentError.invalidRequest("a JSON object body is required");
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
    throw ExperimentError.invalidRequest("the body is not valid UTF-8 JSON");
  }
  // Checked here, not by the schemas: valibot's objects accept an array as an object.
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw ExperimentError.invalidRequest("the body must be a JSON object");
  }
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

/** Where a value came from, for naming its fields in errors. */
export type Source = "body" | "path" | "query";

/**
 * Parses `input` with `schema`, or throws `invalid_request` naming every offending
 * field: a JSON Pointer into the body, or the parameter's name.
 */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown, source: Source): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input);
  if (parsed.success) return parsed.output;
  const errors = parsed.issues.map((issue) => fieldError(issue, source));
  const first = errors[0] as FieldError;
  const where = first.pointer !== undefined ? `body ${first.pointer || "(root)"}` : `'${first.parameter}'`;
  throw ExperimentError.invalidRequest(`${where}: ${first.detail}`, errors);
}

function fieldError(issue: v.BaseIssue<unknown>, source: Source): FieldError {
  const keys = (issue.path ?? []).map((item) => String(item.key));
  // A strict object reports an unknown key as "expected never", and a missing one as
  // "Invalid key: Expected "<key>" but received undefined" (JSON has no undefined).
  const detail =
    issue.expected === "never" ? "unknown field" : issue.received === "undefined" ? "is required" : issue.message;
  if (source === "body")
    return { pointer: keys.map((key) => `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`).join(""), detail };
  return { parameter: keys.join(".") || source, detail };
}
