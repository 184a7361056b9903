// Webhook deliveries to a real receiver, against `wrangler dev` and its local queue: a
// receiver that fails twice, then answers 200, gets one webhook-id three times (the first
// retry within 10 s, the second within 60 s) and then nothing more; every signature
// verifies with node:crypto, an implementation independent of the Worker's.
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.mjs";

const TOKEN = "webhooks-e2e-token";
let dev: WranglerDev;
let persistTo: string;
let receiver: Server;
const received: { at: number; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  let calls = 0;
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ at: Date.now(), headers: request.headers, body });
      calls++;
      response.writeHead(calls <= 2 ? 503 : 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  persistTo = mkdtempSync(join(tmpdir(), "webhooks-e2e-"));
  dev = await startWranglerDev({
    token: TOKEN,
    persistTo,
    vars: { CONFIG_CACHE_TTL_MS: "0", WEBHOOK_ALLOW_HTTP: "1" },
    quiet: true,
  });
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  receiver?.close();
  rmSync(persistTo, { recursive: true, force: true });
}, 30_000);

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${dev.url}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", "x-admin-actor": "e2e" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** Standard Webhooks' verification, written from the specification with node:crypto. */
function verifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  const expected = Buffer.from(createHmac("sha256", key).update(signed).digest("base64"));
  return String(headers["webhook-signature"])
    .split(" ")
    .some((entry) => {
      const [version, signature] = entry.split(",");
      const given = Buffer.from(signature ?? "");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe("a webhook whose receiver fails twice", () => {
  it("is delivered three times under one webhook-id, signed, and then never again", async () => {
    const { port } = receiver.address() as AddressInfo;
    const created = await admin("PUT", "/webhooks/e2e", {
      url: `http://127.0.0.1:${port}/hooks`,
      events: ["experiment.created"],
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    const changedAt = Date.now();
    const defined = await admin("PUT", "/experiments/hooked", {
      variants: [
        { name: "control", weight: 50 },
        { name: "treatment", weight: 50 },
      ],
    });
    expect(defined.status).toBe(201);

    for (let waited = 0; received.length < 3 && waited < 120_000; waited += 500) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(received).toHaveLength(3);
    const [first, second, third] = received as [(typeof received)[0], (typeof received)[0], (typeof received)[0]];
    const id = first.headers["webhook-id"];
    expect(id).toMatch(/^msg_/);
    expect(received.map((r) => r.headers["webhook-id"])).toEqual([id, id, id]);
    for (const delivery of received) {
      expect(delivery.headers["content-type"]).toBe("application/json");
      expect(verifies(secret, delivery.headers, delivery.body), delivery.body).toBe(true);
      expect(Math.abs(Number(delivery.headers["webhook-timestamp"]) - delivery.at / 1000)).toBeLessThan(5);
      expect(JSON.parse(delivery.body)).toMatchObject({
        type: "experiment.created",
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        data: { experiment: { name: "hooked", state: "draft" }, change: "created", actor: "admin/e2e" },
      });
    }
    expect(first.at - changedAt).toBeLessThan(10_000);
    expect(second.at - first.at).toBeLessThan(10_000);
    expect(third.at - second.at).toBeLessThan(60_000);
    // A wrong secret does not verify: the check above can fail.
    expect(verifies(`whsec_${Buffer.alloc(24).toString("base64")}`, first.headers, first.body)).toBe(false);

    // Answered 200: nothing more, however long we wait.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(received).toHaveLength(3);
  }, 180_000);
});
