import { afterEach, describe, expect, it, vi } from "vitest";
import { EventBuffer } from "../../src/edge/events/buffer";
import type { EventMessage, EventPack } from "../../src/edge/events/messages";

afterEach(() => vi.restoreAllMocks());

function recordingQueue() {
  const sent: EventPack[][] = [];
  const queue = {
    sendBatch: async (messages: Iterable<MessageSendRequest<EventPack>>) => {
      sent.push([...messages].map((m) => m.body));
    },
  } as unknown as Queue<EventPack>;
  return { queue, sent };
}

const enrolment = (actor: string): EventMessage => ({
  kind: "enrolment",
  experiment: "checkout_v2",
  variant: "control",
  actor,
  revision: 1,
  timestamp_secs: 1_795_644_443,
});

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
};

describe("EventBuffer", () => {
  it("sends what requests add during an open window with the window, and only its opener waits", async () => {
    const { queue, sent } = recordingQueue();
    const buffer = new EventBuffer();
    const opener = buffer.add([enrolment("a")], queue, 100);
    const joiner = buffer.add([enrolment("b"), enrolment("c")], queue, 100);
    expect(await settled(joiner)).toBe(true); // nothing for that request to keep alive
    expect(await settled(opener)).toBe(false);
    expect(sent).toEqual([]);
    await opener;
    expect(sent.map((send) => send.map((m) => m.events.map((e) => e.actor)))).toEqual([[["a", "b", "c"]]]);
    // The window closed with its send: the next event opens another.
    const next = buffer.add([enrolment("d")], queue, 50);
    expect(await settled(next)).toBe(false);
    await next;
    expect(sent).toHaveLength(2);
  });

  it("opens a new window when the open one's timer never fired (its request was cut short)", async () => {
    const { queue, sent } = recordingQueue();
    const buffer = new EventBuffer();
    void buffer.add([enrolment("a")], queue, 1000); // a window whose timer has not fired yet
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + 10_000); // as if it should have, past its grace too
    const rescuer = buffer.add([enrolment("b")], queue, 50);
    expect(await settled(rescuer)).toBe(false);
    await rescuer;
    expect(sent.map((send) => send.map((m) => m.events.map((e) => e.actor)))).toEqual([[["a", "b"]]]);
  });
});
