import { invalidRequest } from "../../api/problems";

/**
 * The runtime decodes header bytes as UTF-8 and turns every invalid sequence into
 * U+FFFD, so `\xFF`, `\xFE` and `\xC3` would all arrive as one "�" (three actors merged
 * into one). The bytes are gone by then; what can be done is to refuse the replacement
 * character, which is also what the UTF-8 bytes EF BF BD decode to: no id needs it.
 */
const REPLACEMENT = "\uFFFD";

/**
 * A header's value, decoded strictly: `null` when absent.
 * @throws {ExperimentError} `invalid_request` naming the header when its bytes were not valid UTF-8
 */
export function strictHeader(request: Request, name: string): string | null {
  const value = request.headers.get(name);
  if (value === null || !value.includes(REPLACEMENT)) return value;
  throw invalidRequest(`${name} is not valid UTF-8`, [
    { parameter: name, detail: "not valid UTF-8 (or contains U+FFFD)" },
  ]);
}

/** Whether a decoded header value may carry bytes that were not valid UTF-8 (see `strictHeader`). */
export function hasReplacement(value: string): boolean {
  return value.includes(REPLACEMENT);
}
