import * as v from "valibot";
import { type ApiErrorCode, invalidRequest } from "../../api/problems";
import { ExperimentError, type FieldError } from "../../core";

/** The largest request body read: an HTTP limit, not the engine's (a definition's own limits are far below it). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON object body of at most 64 KiB, sent as `application/json` (or a `+json`
 * type; UTF-8 only, as RFC 8259 requires). A declared `Content-Length` over the limit is
 * refused from the header, before any byte is read; the limit is also enforced while
 * reading, so a lying or absent one cannot make the Worker buffer more. A key given
 * twice in one object is refused rather than letting the last one win silently.
 * @throws {ExperimentError} `payload_too_large`, `unsupported_media_type`, `invalid_request`
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const tooLarge = new ExperimentError<ApiErrorCode>(
    "payload_too_large",
    `request body is larger than ${MAX_BODY_BYTES} bytes`,
  );
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge;
  requireJsonType(request.headers.get("content-type"));
  // `!body`: a bodiless request may present `null` or, through the router's proxy, `undefined`.
  if (!request.body) throw invalidRequest("a JSON object body is required");
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let body: unknown;
  let source: string;
  try {
    source = decoder.decode(await readAtMost(request.body, MAX_BODY_BYTES, tooLarge));
    body = JSON.parse(source);
  } catch (error) {
    if (error instanceof ExperimentError) throw error;
    throw invalidRequest("the body is not valid UTF-8 JSON");
  }
  // Checked here, not by the schemas: valibot's objects accept an array as an object.
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidRequest("the body must be a JSON object");
  }
  const duplicate = duplicateKey(source);
  if (duplicate !== null) {
    throw invalidRequest(`body ${duplicate}: the key is given twice`, [
      { pointer: duplicate, detail: "the key is given twice" },
    ]);
  }
  return body as Record<string, unknown>;
}

/**
 * The body's bytes, up to `limit`.
 * @throws {ExperimentError} `tooLarge` past the limit; `invalid_request` when the client
 * went away mid-body (nobody reads that answer, but it is no internal error to log)
 */
async function readAtMost(stream: ReadableStream<Uint8Array>, limit: number, tooLarge: Error) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw invalidRequest("the request body ended before its end: the client went away");
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge;
    }
    chunks.push(chunk.value);
  }
  return concat(chunks, size);
}

/**
 * Refuses a body declared as anything but JSON: a form or `text/plain` body is not
 * parsed as JSON (it is also what a browser may send to another origin without asking
 * first). A body without a `Content-Type` is read as JSON, for plain clients.
 * @throws {ExperimentError} `unsupported_media_type`
 */
function requireJsonType(header: string | null): void {
  if (header === null) return;
  const [type = "", ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  const json = type === "application/json" || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
  const charset = params
    .find((param) => param.startsWith("charset="))
    ?.slice(8)
    .replace(/^"|"$/g, "");
  if (json && (charset === undefined || charset === "utf-8" || charset === "utf8")) return;
  throw new ExperimentError<ApiErrorCode>(
    "unsupported_media_type",
    "the body must be sent as Content-Type: application/json (UTF-8, the only charset JSON has)",
  );
}

/**
 * The JSON Pointer of the first key that appears twice in one object of `json` (text
 * that `JSON.parse` accepted), or null. `JSON.parse` keeps the last value silently and
 * no well-kept library reports duplicates without a parser of its own in the bundle;
 * this is one linear pass over the text, comparing keys as decoded (`"a"` = `"\u0061"`).
 */
export function duplicateKey(json: string): string | null {
  type Frame = { keys: Set<string>; key: string } | { index: number };
  const stack: Frame[] = [];
  let expectingKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(json, i);
      const top = stack[stack.length - 1];
      if (expectingKey && top !== undefined && "keys" in top) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return pointerOf(stack, key);
        top.keys.add(key);
        top.key = key;
        expectingKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Set(), key: "" });
      expectingKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push({ index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top !== undefined && "keys" in top) expectingKey = true;
      else if (top !== undefined) top.index++;
    }
  }
  return null;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(json: string, start: number): number {
  let i = start + 1;
  while (json.charCodeAt(i) !== 0x22) i += json.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
  return i;
}

function pointerOf(stack: readonly ({ key: string } | { index: number })[], last: string): string {
  const tokens = stack.slice(0, -1).map((frame) => ("key" in frame ? frame.key : String(frame.index)));
  return jsonPointer([...tokens, last]);
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
  throw invalidRequest(`${where}: ${first.detail}`, errors);
}

function fieldError(issue: v.BaseIssue<unknown>, source: Source): FieldError {
  const keys = (issue.path ?? []).map((item) => String(item.key));
  // A strict object reports an unknown key as "expected never", and a missing one as
  // "Invalid key: Expected "<key>" but received undefined" (JSON has no undefined).
  const detail =
    issue.expected === "never" ? "unknown field" : issue.received === "undefined" ? "is required" : issue.message;
  if (source === "body") return { pointer: jsonPointer(keys), detail };
  return { parameter: keys.join(".") || source, detail };
}

/** The JSON Pointer (RFC 6901) of a path of keys: `~` and `/` escaped. */
function jsonPointer(keys: readonly string[]): string {
  return keys.map((key) => `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}
