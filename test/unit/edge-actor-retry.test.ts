import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ActorObject } from "../../src/edge/objects/actor/actor-object";
import { callActor } from "../../src/edge/objects/actor/client";

/** An error as the platform throws it for a failed Durable Object call. */
function platformError(flags: { retryable?: boolean; overloaded?: boolean }): Error {
  return Object.assign(new Error("Durable Object reset because its code was updated."), flags);
}

/**
 * An actor namespace that hands out a new stub per `get`, and a call that fails with
 * `failures` in turn, then answers "control".
 */
function scripted(failures: Error[]) {
  const stubs: object[] = [];
  const actors = {
    idFromName: (name: string) => name,
    get: () => {
      const stub = {};
      stubs.push(stub);
      return stub;
    },
  } as unknown as DurableObjectNamespace<ActorObject>;
  const seen: object[] = [];
  const call = async (stub: object) => {
    seen.push(stub);
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
    return "control";
  };
  return { actors, call, stubs, seen };
}

describe("callActor", () => {
  // Every failure these tests provoke is logged (a retry as a warning, a give-up as an
  // error); the log is checked where it matters, and kept out of the suite's output.
  beforeEach(() => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
  });
  afterEach(() => vi.restoreAllMocks());

  it("tries a retryable failure once more, on a fresh stub", async () => {
    const { actors, call, stubs, seen } = scripted([platformError({ retryable: true })]);
    expect(await callActor(actors, "user:1", call)).toBe("control");
    expect(seen).toHaveLength(2);
    expect(stubs).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it("gives up after the second attempt", async () => {
    const { actors, call, seen } = scripted([platformError({ retryable: true }), platformError({ retryable: true })]);
    await expect(callActor(actors, "user:1", call)).rejects.toMatchObject({ code: "store_unavailable" });
    expect(seen).toHaveLength(2);
  });

  it.each([
    ["an overloaded object", platformError({ retryable: true, overloaded: true })],
    ["a failure not marked retryable", platformError({})],
    ["an error from the object's own code", new TypeError("boom")],
  ])("does not retry %s", async (_, failure) => {
    const { actors, call, seen } = scripted([failure]);
    await expect(callActor(actors, "user:1", call)).rejects.toMatchObject({ code: "store_unavailable" });
    expect(seen).toHaveLength(1);
  });
});
