import { describe, expect, it } from "vitest";
import { admin, call, ok, runningExperiment } from "./helpers";

describe("smoke", () => {
  it("creates, starts and assigns checkout_v2 user:1 to control", async () => {
    await runningExperiment("checkout_v2");
    const body = await ok(call("GET", "/v1/assign/checkout_v2?actor=user:1"));
    expect(body).toEqual({ experiment: "checkout_v2", actor: "user:1", variant: "control", is_override: false });
    const a = await ok(admin("GET", "/experiments/checkout_v2/assignments/user:1"));
    expect(a).toMatchObject({ variant: "control", is_override: false });
  });
});
