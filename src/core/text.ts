/** Text rules shared by every limit: what a character is, and which characters are control characters. */

/** C0, DEL and C1 control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

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
