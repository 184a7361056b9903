// Webhooks' pure parts: the Standard Webhooks signature against the specification's own
// example, which changes make which event types, the URL and type rules, and the retry
// schedule's promises (first retry within 10 s, second within 60 s, a day or more in all).
import { describe, expect, it } from "vitest";
import {
  eventTypesOf,
  newWebhookSecret,
  WEBHOOK_RETRY_DELAYS_SECS,
  webhookConfig,
  webhookRetryDelay,
  webhookSignature,
} from "../../src/core";

describe("webhookSignature", () => {
  it("signs the Standard Webhooks specification's example as it says", async () => {
    // github.com/standard-webhooks/standard-webhooks, spec: the example secret, id, timestamp and payload.
    const signature = await webhookSignature(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("makes secrets of 24 random bytes, each different", () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(atob(a.slice(6))).toHaveLength(24);
    expect(a).not.toBe(b);
  });
});

describe("eventTypesOf", () => {
  it.each([
    ["created", ["experiment.created"]],
    ["updated", ["experiment.updated"]],
    ["set_weights", ["experiment.updated"]],
    ["coverage=2500", ["experiment.updated"]],
    ["erased", ["experiment.updated"]],
    ["state=running", ["experiment.started"]],
    ["state=archived", ["experiment.archived"]],
    ["concluded=treatment", ["experiment.concluded"]],
    ["concluded=control (guardrail errors: treatment worse)", ["experiment.concluded", "guardrail.breached"]],
    ["override=qa:1:control", ["override.set"]],
    ["override_removed=qa:1", ["override.removed"]],
  ])("maps %s to %j", (mutation, types) => {
    expect(eventTypesOf(mutation)).toEqual(types);
  });
});

describe("webhookConfig", () => {
  const define = (url: string, events?: string[], allowHttp = false) =>
    webhookConfig("hook", { url, events }, null, { allowHttp, now: 100 });

  it("takes an https URL and every type by default, keeping a type named twice once", () => {
    expect(define("https://h.example.com/x").events).toHaveLength(10);
    expect(define("https://h.example.com/x", ["override.set", "override.set"]).events).toEqual(["override.set"]);
  });

  it.each([
    ["http://h.example.com/", "/url"],
    ["ftp://h.example.com/", "/url"],
    ["https://u:p@h.example.com/", "/url"],
    [`https://h.example.com/${"a".repeat(2030)}`, "/url"],
    ["not a url", "/url"],
  ])("refuses %s with the pointer %s", (url, pointer) => {
    expect(() => define(url)).toThrowError(expect.objectContaining({ code: "invalid_config" }));
    try {
      define(url);
    } catch (error) {
      expect((error as { errors: { pointer: string }[] }).errors[0]?.pointer).toBe(pointer);
    }
  });

  it("takes http:// only with WEBHOOK_ALLOW_HTTP", () => {
    expect(define("http://127.0.0.1:9999/hook", undefined, true).url).toBe("http://127.0.0.1:9999/hook");
  });
});

describe("the retry schedule", () => {
  it("retries within 10 s, then within 60 s, then for at least a day before the dead-letter queue", () => {
    expect(webhookRetryDelay(1)).toBeLessThanOrEqual(10);
    expect(webhookRetryDelay(2)).toBeLessThanOrEqual(60);
    const total = WEBHOOK_RETRY_DELAYS_SECS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
    // The queue waits at most 12 hours before a retry.
    expect(Math.max(...WEBHOOK_RETRY_DELAYS_SECS)).toBeLessThanOrEqual(43_200);
    expect(webhookRetryDelay(50)).toBe(43_200);
  });
});
