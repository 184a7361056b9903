// The body limit is read from the declared Content-Length before any byte of the body:
// a client that declares more than 64 KiB is answered at once, not after it has sent
// (or while it withholds) the rest.
import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { BASE, problem } from "./helpers";

/** A body stream that sends one chunk and then never ends, as a stalled client's. */
function stalledBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"actor":"'));
    },
  });
}

describe("a declared Content-Length over the limit", () => {
  it.each([
    ["POST", "/v1/assign"],
    ["PUT", "/v1/admin/experiments/too-large"],
  ])("on %s %s is 413 from the header, without waiting for the body", async (method, path) => {
    const request = new Request(`${BASE}${path}`, {
      method,
      body: stalledBody(),
      headers: {
        "content-type": "application/json",
        "content-length": "1000000",
        authorization: "Bearer test-admin-token",
      },
    });
    const never = new Promise<"waited">((resolve) => setTimeout(() => resolve("waited"), 3_000));
    const answer = await Promise.race([exports.default.fetch(request), never]);
    expect(answer).not.toBe("waited");
    await problem(answer as Response, 413, "payload_too_large");
  });
});

describe("a client that goes away mid-body", () => {
  it("is answered 400 (nobody reads it) and logged as no internal error", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"actor":"hal'));
        controller.error(new Error("the connection was reset"));
      },
    });
    const request = new Request(`${BASE}/v1/assign`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    await problem(exports.default.fetch(request), 400, "invalid_request");
    expect(JSON.stringify(errors.mock.calls)).not.toContain("internal error");
    errors.mockRestore();
  });
});
