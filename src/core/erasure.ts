/**
 * Erasure (not in the reference): how an erased actor is named where the edge must
 * recognise it. The config snapshot carries recent erasures so that no isolate's cache
 * and no sticky token issued before an erasure answers for the actor again; it names
 * each by this key rather than by the actor id, which erasure is meant to remove.
 */

/** How long the edge is told of an erasure: as long as a sticky token is trusted at all. */
export const ERASURE_MEMORY_SECS = 30 * 24 * 3600;

const encoder = new TextEncoder();

/**
 * The key an erasure is published under: the first 128 bits of SHA-256 over
 * `erasure:<actor>`, as hex. (Pseudonymous, not anonymous: an id that can be guessed can
 * be checked against it, which is why the edge is told only for `ERASURE_MEMORY_SECS`.)
 */
export async function erasureKey(actor: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`erasure:${actor}`)));
  return [...digest.slice(0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
