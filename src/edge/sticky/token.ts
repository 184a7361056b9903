/**
 * The signed sticky token: an actor's known non-override assignments, carried by the
 * client (the `exp_sticky` cookie, or the `X-Experiment-Sticky` header for servers and
 * RPC callers), so that a repeat visitor is answered in any isolate with no Durable
 * Object call. `v2.<payload>.<signature>`, base64url, with an HMAC-SHA256 (WebCrypto)
 * over `v2.<payload>`; the payload is `{"a": actor, "s": {experiment: variant}, "t":
 * issued at, UNIX seconds}`. The time lets an erasure refuse every token issued before
 * it (`CompiledSnapshot.erasedAt`), and bounds how long a token is trusted at all:
 * `TOKEN_MAX_AGE_SECS`, the span the snapshot remembers erasures for. Version 1 tokens,
 * which had no time, are no longer read.
 *
 * A token is only ever a shortcut: one for another actor, with a bad signature, signed
 * by a retired secret, too old or malformed is ignored (never an error, never trusted),
 * and the request is answered as if it had none.
 */

import { LruMap } from "./lru";

const VERSION = "v2";
/** How long a token is trusted after it was issued: as long as erasures are remembered at the edge. */
export const TOKEN_MAX_AGE_SECS = 30 * 24 * 3600;
/** A token older than this is issued again, with the same answers, so that a regular visitor's never ages out. */
export const TOKEN_REFRESH_SECS = 24 * 3600;
/** The token must fit a 4 KiB cookie with its name and attributes. */
export const MAX_TOKEN_CHARS = 3800;
/** An HMAC-SHA256 in base64url without padding. */
const SIGNATURE_CHARS = 43;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

function keyOf(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, key);
  }
  return key;
}

/**
 * How many tokens a signer remembers. A token is the same for the same actor and
 * answers, so a repeat visitor's token is signed (or verified) and decoded once per
 * isolate, not on every visit: an HMAC is a tenth of an edge answer's CPU when
 * profiled. An entry is a token's text, usually 200–400 bytes (at most 3,800), and
 * once verified its answers as a map of about as many bytes again: at most about 30 MB.
 */
const REMEMBERED_TOKENS = 4096;

/** What a token's payload says. `assignments` is shared by every visit that presents the token: never changed. */
interface Payload {
  actor: unknown;
  assignments: ReadonlyMap<string, string>;
  /** When it was issued, UNIX seconds. */
  issuedAt: number;
}

/** A remembered token: its signature with the current secret, and once verified, what it says. */
interface Remembered {
  signature: string;
  payload?: Payload;
}

/** Signs with `secret` (the current one); verifies with it or the previous one, during a rotation. */
export class StickySigner {
  /** `v1.<payload>` → its signature with the current secret (and its decoded payload). */
  private readonly tokens = new LruMap<string, Remembered>(REMEMBERED_TOKENS);

  constructor(
    private readonly secret: string,
    private readonly previous: string | undefined,
  ) {}

  /**
   * A token for `actor` holding `assignments`; the oldest entries are left out when
   * they would not fit a cookie (those experiments then cost an object call again).
   */
  async sign(actor: string, assignments: ReadonlyMap<string, string>, issuedAt: number): Promise<string> {
    const entries = [...assignments];
    let signed = signedText(actor, entries, issuedAt);
    while (signed.length + 1 + SIGNATURE_CHARS > MAX_TOKEN_CHARS && entries.length > 0) {
      entries.shift();
      signed = signedText(actor, entries, issuedAt);
    }
    const signature =
      this.tokens.get(signed)?.signature ??
      this.remember(
        signed,
        base64url(new Uint8Array(await crypto.subtle.sign("HMAC", await keyOf(this.secret), encoder.encode(signed)))),
      ).signature;
    return `${signed}.${signature}`;
  }

  /**
   * The assignments a valid token of `actor` holds, when it was issued, and whether it
   * was signed with the current secret (one signed with the previous secret is worth
   * re-signing); else `null`, as for a token issued more than `TOKEN_MAX_AGE_SECS` before `now`.
   */
  async verify(
    token: string,
    actor: string,
    now: number,
  ): Promise<{ assignments: ReadonlyMap<string, string>; current: boolean; issuedAt: number } | null> {
    if (token.length > MAX_TOKEN_CHARS) return null;
    const [version, payload, signature, ...rest] = token.split(".");
    if (version !== VERSION || payload === undefined || signature === undefined || rest.length > 0) return null;
    const text = `${VERSION}.${payload}`;
    let remembered = this.tokens.get(text);
    // A remembered signature answers for the usual spelling, compared in constant time
    // and without decoding it; any other (base64url has several for the same bytes, and
    // a forgery is one more) is checked by the HMAC.
    let current = remembered !== undefined && sameText(remembered.signature, signature);
    let previous = false;
    if (!current) {
      const signatureBytes = fromBase64url(signature);
      if (signatureBytes === null) return null;
      const signed = encoder.encode(text);
      current = await crypto.subtle.verify("HMAC", await keyOf(this.secret), signatureBytes, signed);
      if (current) remembered ??= this.remember(text, base64url(signatureBytes));
      if (!current && this.previous !== undefined && this.previous !== "") {
        previous = await crypto.subtle.verify("HMAC", await keyOf(this.previous), signatureBytes, signed);
      }
    }
    if (!current && !previous) return null;
    // A repeat visitor presents the same token again and again: its payload is decoded
    // once per isolate (while remembered), as its signature is checked once. Only what
    // the current secret signed is remembered; the actor is checked on every visit.
    const trusted = current ? remembered : undefined;
    const decoded = trusted?.payload ?? decodePayload(payload);
    if (decoded === null || decoded.actor !== actor) return null;
    if (decoded.issuedAt < now - TOKEN_MAX_AGE_SECS || decoded.issuedAt > now + CLOCK_SKEW_SECS) return null;
    if (trusted !== undefined) trusted.payload = decoded;
    return { assignments: decoded.assignments, current, issuedAt: decoded.issuedAt };
  }

  private remember(signed: string, signature: string): Remembered {
    const entry = { signature };
    this.tokens.set(signed, entry);
    return entry;
  }
}

/** The actor and the answers a token's payload holds; null when it is not one. */
function decodePayload(payload: string): Payload | null {
  try {
    const bytes = fromBase64url(payload);
    const body = bytes && (JSON.parse(decoder.decode(bytes)) as { a?: unknown; s?: unknown; t?: unknown });
    if (!body || typeof body.s !== "object" || body.s === null || !Number.isSafeInteger(body.t)) return null;
    const entries = Object.entries(body.s).filter((entry): entry is [string, string] => typeof entry[1] === "string");
    return { actor: body.a, assignments: new Map(entries), issuedAt: body.t as number };
  } catch {
    return null;
  }
}

/** `v2.<payload>`: what the signature covers. */
function signedText(actor: string, entries: ReadonlyArray<readonly [string, string]>, issuedAt: number): string {
  const payload = { a: actor, s: Object.fromEntries(entries), t: issuedAt };
  return `${VERSION}.${base64url(encoder.encode(JSON.stringify(payload)))}`;
}

/** How far ahead of this isolate's clock a token's time may be (another isolate's clock). */
const CLOCK_SKEW_SECS = 300;

/** Compares a presented signature with a known one in time that does not depend on where they differ. */
function sameText(known: string, presented: string): boolean {
  const a = encoder.encode(known);
  const b = encoder.encode(presented);
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

function base64url(bytes: Uint8Array): string {
  // One call: a token is at most 3,800 characters, far below the arguments limit.
  const binary = String.fromCharCode(...bytes);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  let binary: string;
  try {
    binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return null;
  }
  // A plain loop: `Uint8Array.from` with a mapping function was most of this function's time.
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
