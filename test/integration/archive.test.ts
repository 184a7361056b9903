// The events archive: with an EVENTS_ARCHIVE bucket, the queue's consumer writes every
// event of a message as gzip NDJSON under events/dt=<day>/<message id>.ndjson.gz, in the
// documented line schema, once however often the message is delivered; without the
// binding nothing is written.
import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/edge/env";
import { consumeEvents } from "../../src/edge/events/consumer";
import type { EventMessage } from "../../src/edge/events/messages";
import { unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

const DAY_1 = 1_796_428_800; // 2026-12-05T00:00:00Z
const DAY_2 = DAY_1 + 86_400;

function deliver(id: string, events: EventMessage[], environment: Env) {
  vi.spyOn(console, "info").mockImplementation(() => undefined);
  const batch = createMessageBatch<unknown>("experiment-events", [{ id, timestamp: 0, attempts: 1, body: { events } }]);
  return { batch, done: consumeEvents(batch, environment) };
}

async function lines(key: string): Promise<unknown[]> {
  const object = await env.TEST_ARCHIVE.get(key);
  expect(object, key).not.toBeNull();
  const text = await new Response((object as R2ObjectBody).body.pipeThrough(new DecompressionStream("gzip"))).text();
  return text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
}

describe("the events archive", () => {
  it("writes a message's events by day in the versioned line schema, once however often it is delivered", async () => {
    const experiment = unique("archived");
    const id = unique("archive-msg");
    const events: EventMessage[] = [
      {
        kind: "exposure",
        experiment,
        variant: "control",
        actor: "user:1",
        request_id: "req-1",
        is_override: false,
        revision: 2,
        timestamp_secs: DAY_1 + 10,
      },
      { kind: "enrolment", experiment, variant: "control", actor: "user:1", revision: 2, timestamp_secs: DAY_1 + 10 },
      { kind: "track", actor: "user:1", event: "purchase", value: 42.5, id: "order-7", timestamp_secs: DAY_2 + 5 },
    ];
    const archived = { ...env, EVENTS_ARCHIVE: env.TEST_ARCHIVE } as unknown as Env;
    await deliver(id, events, archived).done;
    await deliver(id, events, archived).done; // redelivered
    const listed = await env.TEST_ARCHIVE.list({ prefix: "events/" });
    const mine = listed.objects.map((o) => o.key).filter((key) => key.includes(id));
    expect(mine.sort()).toEqual([`events/dt=2026-12-05/${id}.ndjson.gz`, `events/dt=2026-12-06/${id}.ndjson.gz`]);
    const base = { schema: 1, actor: "user:1", event: null, value: null, id: null, request_id: null };
    expect(await lines(`events/dt=2026-12-05/${id}.ndjson.gz`)).toEqual([
      {
        ...base,
        kind: "exposure",
        experiment,
        variant: "control",
        revision: 2,
        timestamp_secs: DAY_1 + 10,
        request_id: "req-1",
      },
      { ...base, kind: "enrolment", experiment, variant: "control", revision: 2, timestamp_secs: DAY_1 + 10 },
    ]);
    expect(await lines(`events/dt=2026-12-06/${id}.ndjson.gz`)).toEqual([
      {
        ...base,
        kind: "track",
        experiment: null,
        variant: null,
        revision: null,
        timestamp_secs: DAY_2 + 5,
        event: "purchase",
        value: 42.5,
        id: "order-7",
      },
    ]);
    const object = await env.TEST_ARCHIVE.head(`events/dt=2026-12-06/${id}.ndjson.gz`);
    expect(object?.httpMetadata).toMatchObject({ contentType: "application/x-ndjson", contentEncoding: "gzip" });
  });

  it("retries a message whose archive write failed, and writes nothing without the binding", async () => {
    const id = unique("archive-fail");
    const event: EventMessage = { kind: "track", actor: "u", event: "e", value: 1, id: null, timestamp_secs: DAY_1 };
    const failing = {
      put: () => Promise.reject(new Error("R2 down")),
    } as unknown as R2Bucket;
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const first = deliver(id, [event], { ...env, EVENTS_ARCHIVE: failing } as unknown as Env);
    const retried = vi.spyOn(first.batch.messages[0] as Message<unknown>, "retry");
    await first.done;
    expect(retried).toHaveBeenCalled();
    await deliver(id, [event], env as unknown as Env).done; // no binding
    const listed = await env.TEST_ARCHIVE.list({ prefix: "events/" });
    expect(listed.objects.filter((o) => o.key.includes(id))).toEqual([]);
  });
});
