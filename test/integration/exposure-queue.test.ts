import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ExposureRecord } from "../../src/core";
import { QueueExposureSink } from "../../src/edge/exposures/sinks";
import { createApp } from "../../src/edge/http/app";
import { runningExperiment, unique } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** A queue producer that records what it is sent (and can forward to a real one). */
function recordingQueue(forward?: Queue<ExposureRecord>) {
  const batches: MessageSendRequest<ExposureRecord>[][] = [];
  const queue = {
    send: async () => {
      throw new Error("the queue sink sends batches");
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<ExposureRecord>>) => {
      const batch = [...messages];
      batches.push(batch);
      await forward?.sendBatch(batch);
    },
  } as unknown as Queue<ExposureRecord>;
  return { queue, batches };
}

describe("EXPOSURE_QUEUE", () => {
  it("when bound, receives a request's exposures in one sendBatch, and nothing is logged", async () => {
    const names = [unique("queue-a"), unique("queue-b"), unique("queue-c")];
    for (const name of names) await runningExperiment(name);
    const { queue, batches } = recordingQueue(env.TEST_EXPOSURE_QUEUE); // the real local queue must accept it too
    const logs = vi.spyOn(console, "log");
    const ctx = createExecutionContext();
    const response = await createApp().fetch(
      new Request("https://edge.test/v1/assign", {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "req-q" },
        body: JSON.stringify({ actor: "queue-user", experiments: [...names, "ghost"] }),
      }),
      { ...env, EXPOSURE_QUEUE: queue },
      ctx,
    );
    expect(response.status).toBe(200);
    await waitOnExecutionContext(ctx);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((m) => [m.body.experiment, m.body.actor, m.body.request_id, m.contentType])).toEqual(
      names.map((name) => [name, "queue-user", "req-q", "json"]),
    );
    expect(logs.mock.calls.filter(([line]) => String(line).includes("experiment_exposure"))).toEqual([]);
  });

  it("splits more than 100 exposures into batches of at most 100", async () => {
    const { queue, batches } = recordingQueue();
    const exposure: ExposureRecord = {
      experiment: "e",
      variant: "v",
      actor: "a",
      request_id: null,
      is_override: false,
      timestamp_secs: 0,
    };
    await new QueueExposureSink(queue).recordBatch(Array.from({ length: 150 }, () => exposure));
    expect(batches.map((b) => b.length)).toEqual([100, 50]);
  });
});
