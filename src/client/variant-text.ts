import type { Variant } from "./types";

/**
 * A variant as operators type it, `control=50` → `{ name: "control", weight: 50 }`, for
 * `expctl --variant` and the dashboard's New experiment dialog alike. The name is
 * everything before the last `=` (so it may hold `=` itself), both sides trimmed; the
 * weight is a whole number. `null` when the text is not one; the Worker checks the
 * name and the weight's range.
 */
export function variantFromText(text: string): Variant | null {
  const at = text.lastIndexOf("=");
  const name = text.slice(0, at).trim();
  const weight = text.slice(at + 1).trim();
  if (at < 0 || name === "" || !/^\d+$/.test(weight)) return null;
  return { name, weight: Number(weight) };
}
