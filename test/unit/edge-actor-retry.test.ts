import { describe, expect, it } from "vitest";
import { CallCounter } from "../../src/edge/calls";
import type { Env } from "../../src/edge/env";
import { callActor } from "../../src/edge/stores";

/** An error as the platform throws it for a failed Durable Object call. */
function platformError(flags: { retryable?: boolean; overloaded?: boolean }): Error {
  return Object.assign(new Error("Durable Object reset because its code was updated."), flags);
}

/**
 * An Env whose actor namespace hands out a new stub per `get`, and a call that fails
 * with `failures` in turn, then answers "control".
 */
function scripted(failures: Error[]) {
  const stubs: object[] = [];
  const env = {
    ACTORS: {
      idFromName: (name: string) => name,
      get: () => {
        const stub = {};
        stubs.push(stub);
        return stub;
      },
    },
  } as unknown as Env;
  const seen: object[] = [];
  const call = async (stub: object) => {
    seen.push(stub);
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
    return "control";
  };
  return { env, call, stubs, seen };
}

describe("callActor", () => {
  it("tries a retryable failure once more, on a fresh stub, and counts both calls", async () => {
    const { env, call, stubs, seen } = scripted([platformError({ retryable: true })]);
    const calls = new CallCounter();
    expect(await callActor(env, calls, "user:1", call)).toBe("control");
    expect(calls.actor).toBe(2);
    expect(stubs).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it("gives up after the second attempt", async () => {
    const { env, call } = scripted([platformError({ retryable: true }), platformError({ retryable: true })]);
    const calls = new CallCounter();
    await expect(callActor(env, calls, "user:1", call)).rejects.toMatchObject({ code: "store_unavailable" });
    expect(calls.actor).toBe(2);
  });

  it.each([
    ["an overloaded object", platformError({ retryable: true, overloaded: true })],
    ["a failure not marked retryable", platformError({})],
    ["an error from the object's own code", new TypeError("boom")],
  ])("does not retry %s", async (_, failure) => {
    const { env, call } = scripted([failure]);
    const calls = new CallCounter();
    await expect(callActor(env, calls, "user:1", call)).rejects.toMatchObject({ code: "store_unavailable" });
    expect(calls.actor).toBe(1);
  });
});
