import { describe, expect, it } from "vitest";
import type { EventMessage } from "../../src/edge/events/messages";
import { packEvents } from "../../src/edge/events/pack";

// Cloudflare Queues' limits, which every message and every sendBatch must respect: a
// message of 128 KB, a send of 256 KB, where a KB is 1,000 bytes and about 100 bytes of
// each message are the queue's own metadata.
const MESSAGE_LIMIT_BYTES = 128_000 - 100;
const SEND_LIMIT_BYTES = 256_000 - 100 * 100;
const bytes = (body: unknown) => new TextEncoder().encode(JSON.stringify(body)).byteLength;

type Exposure = Extract<EventMessage, { kind: "exposure" }>;
const exposure = (i: number, fields: Partial<Exposure> = {}): Exposure => ({
  kind: "exposure",
  experiment: "checkout_v2",
  variant: "treatment",
  actor: `user:${i}`,
  request_id: `req-${i}`,
  is_override: false,
  revision: 3,
  timestamp_secs: 1_795_644_443,
  ...fields,
});

describe("packEvents", () => {
  it("packs typical events 100 to a message, all in one sendBatch, in order", () => {
    const events = Array.from({ length: 250 }, (_, i) => exposure(i));
    const sends = packEvents(events);
    expect(sends.map((send) => send.map((m) => m.events.length))).toEqual([[100, 100, 50]]);
    expect(sends.flat().flatMap((m) => m.events)).toEqual(events);
  });

  it("keeps the largest events the limits allow within a message's and a sendBatch's bytes", () => {
    // A 256-byte actor whose every byte JSON escapes, a 64-character variant of 4-byte
    // characters, a 128-character name and request id: about 1.2 KB of JSON each.
    const largest = (i: number) =>
      exposure(i, {
        actor: '"'.repeat(256),
        variant: "\u{1D4B3}".repeat(64),
        experiment: `${i % 10}`.repeat(128),
        request_id: "\\".repeat(128),
      });
    const events = Array.from({ length: 500 }, (_, i) => largest(i));
    const sends = packEvents(events);
    expect(sends.length).toBeGreaterThan(1);
    for (const send of sends) {
      expect(send.length).toBeLessThanOrEqual(100);
      expect(bytes(send)).toBeLessThanOrEqual(SEND_LIMIT_BYTES);
      for (const message of send) {
        expect(message.events.length).toBeLessThanOrEqual(100);
        expect(bytes(message)).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
      }
    }
    expect(sends.flat().flatMap((m) => m.events)).toEqual(events);
  });

  it("keeps the largest tracked events within the limits too", () => {
    // A 256-byte actor whose every byte JSON escapes, a 128-character event name, a
    // 128-character id of 4-byte characters and the longest value: about 1.3 KB each.
    const largest = (i: number): EventMessage => ({
      kind: "track",
      actor: '"'.repeat(256),
      event: `${i % 10}`.repeat(128),
      value: -123456789012.5,
      id: "\u{1D4B3}".repeat(128),
      timestamp_secs: 1_795_644_443,
    });
    const events = Array.from({ length: 500 }, (_, i) => largest(i));
    const sends = packEvents(events);
    for (const send of sends) {
      expect(bytes(send)).toBeLessThanOrEqual(SEND_LIMIT_BYTES);
      for (const message of send) expect(bytes(message)).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
    }
    expect(sends.flat().flatMap((m) => m.events)).toEqual(events);
  });

  it("sends nothing for no events", () => {
    expect(packEvents([])).toEqual([]);
  });
});
