/** Text rules shared by every limit: what a character is, and which characters are control characters. */

/** C0, DEL and C1 control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Text without a control character, as a whole-string pattern: what the OpenAPI document
 * states for identifiers (`identifierProblem` is the rule itself).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
export const NO_CONTROL_PATTERN = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/**
 * The length of `text` in Unicode code points (a surrogate pair is one), which is what
 * the limits call characters.
 */
export function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/**
 * Free text an admin may store (`X-Admin-Actor`): well-formed, without control
 * characters, at most `maxChars` code points.
 */
export function isValidLabel(text: string, maxChars: number): boolean {
  return text.isWellFormed() && !CONTROL.test(text) && codePoints(text) <= maxChars;
}

/**
 * The rule for every name that travels as an identifier (variant names today; metric,
 * layer, holdout and webhook names when they come): well-formed Unicode, no control
 * character (C0, DEL, C1), not empty, no surrounding white space, at most `maxChars`
 * code points. Such a name is carried where a control character breaks the carrier: an
 * HTTP header refuses `\n` and NUL, a row of `expctl list` splits, a page shows a
 * space. Free text (a description) is not an identifier and keeps its newlines.
 *
 * @returns what is wrong with `name`, worded to follow the field's name, or `null`. The
 *   words never quote the name, which may hold the very characters refused.
 * @example
 * identifierProblem("control", 64) // null
 * identifierProblem("x\ny", 64) // "must not contain control characters, found U+000A"
 */
export function identifierProblem(name: string, maxChars: number): string | null {
  // Stored as UTF-8 (SQLite, RPC, KV), a lone surrogate would come back as U+FFFD.
  if (!name.isWellFormed()) return "is not well-formed Unicode";
  const control = controlProblem(name);
  if (control !== null) return control;
  if (name.trim() === "") return "must not be empty";
  if (name !== name.trim() || codePoints(name) > maxChars) {
    return `must be at most ${maxChars} characters without surrounding white space`;
  }
  return null;
}

/**
 * The control-character part of {@link identifierProblem}, for a name whose own pattern
 * is stricter (an exclusion group) but whose refusal should say what is wrong.
 * @example
 * controlProblem("x\u0085y") // "must not contain control characters, found U+0085"
 */
export function controlProblem(text: string): string | null {
  const found = CONTROL.exec(text)?.[0];
  if (found === undefined) return null;
  return `must not contain control characters, found U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** `text`'s length in UTF-8 bytes, counted without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4; // a well-formed pair: the low half adds nothing
      i++;
    } else bytes += 3;
  }
  return bytes;
}
