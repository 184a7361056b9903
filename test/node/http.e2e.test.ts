// What only a real HTTP connection can send, against `wrangler dev`: header bytes that
// are not UTF-8, and a method fetch() refuses to send (TRACE). A declared Content-Length
// over the limit and a client that leaves mid-body are tested inside workerd
// (body-limits.test.ts): locally, wrangler's proxy reads the whole declared body before
// the Worker sees the request, so over HTTP neither reaches the Worker as such.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.mjs";
import { runningFiftyFifty } from "./support/experiment";

const TOKEN = "http-e2e-token";
const EXPERIMENT = "raw-http";
let dev: WranglerDev;
let port: number;
let persistTo: string;

beforeAll(async () => {
  persistTo = mkdtempSync(join(tmpdir(), "http-e2e-"));
  dev = await startWranglerDev({
    token: TOKEN,
    persistTo,
    vars: { CONFIG_CACHE_TTL_MS: "0", CORS_ORIGINS: "http://shop.localhost:5173" },
    quiet: true,
  });
  port = Number(new URL(dev.url).port);
  await runningFiftyFifty(dev.url, TOKEN, EXPERIMENT);
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(persistTo, { recursive: true, force: true });
}, 30_000);

interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body` bytes on a
 * fresh connection.
 * Resolves with the response, or null when none came within `ms`.
 */
function raw(head: Buffer, body: Buffer = Buffer.alloc(0), opts: { ms?: number } = {}) {
  return new Promise<RawResponse | null>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(Buffer.concat([head, Buffer.from("\r\n\r\n"), body]));
    });
    let data = "";
    const done = (value: RawResponse | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), opts.ms ?? 5_000);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
    });
    // Every request here says `Connection: close`: the response is whole when the server closes.
    socket.on("end", () => {
      const end = data.indexOf("\r\n\r\n");
      if (end === -1) return done(null);
      const head = data.slice(0, end);
      const body = Buffer.from(data.slice(end + 4), "latin1").toString("utf8");
      done({ status: Number(head.split(" ")[1]), head: head.toLowerCase(), body });
    });
    socket.on("error", () => done(null));
    socket.on("close", () => done(null));
  });
}

const lines = (...parts: (string | Buffer)[]) =>
  Buffer.concat(parts.flatMap((part, i) => [i === 0 ? Buffer.alloc(0) : Buffer.from("\r\n"), Buffer.from(part)]));

describe("header bytes that are not UTF-8", () => {
  it.each([
    ["\\xFF", [0xff]],
    ["\\xFE", [0xfe]],
    ["\\xC3 (a truncated sequence)", [0xc3]],
  ])("in X-Actor-Id (%s) are 400, never an actor of their own or one shared", async (_, bytes) => {
    const response = await raw(
      lines(
        `GET /v1/assign/${EXPERIMENT} HTTP/1.1`,
        "Host: edge.test",
        Buffer.concat([Buffer.from("X-Actor-Id: user:"), Buffer.from(bytes)]),
        "Connection: close",
      ),
    );
    expect(response?.status).toBe(400);
    expect(response?.body).toContain("X-Actor-Id");
  });

  it("in X-Admin-Actor are 400, and the change is not made", async () => {
    const response = await raw(
      lines(
        `POST /v1/admin/experiments/${EXPERIMENT}/conclude HTTP/1.1`,
        "Host: edge.test",
        `Authorization: Bearer ${TOKEN}`,
        Buffer.from([...Buffer.from("X-Admin-Actor: ops "), 0xff]),
        "Content-Type: application/json",
        "Content-Length: 22",
        "Connection: close",
      ),
      Buffer.from('{"winner":"treatment"}'),
    );
    expect(response?.status).toBe(400);
    const state = await fetch(`${dev.url}/v1/admin/experiments/${EXPERIMENT}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(((await state.json()) as { state: string }).state).toBe("running");
  });

  it("keep valid UTF-8 actors working", async () => {
    const response = await raw(
      lines(`GET /v1/assign/${EXPERIMENT} HTTP/1.1`, "Host: edge.test", "X-Actor-Id: josé", "Connection: close"),
    );
    expect(response?.status).toBe(200);
    expect(response?.body).toContain('"actor":"josé"');
  });
});

describe("methods fetch() will not send", () => {
  it("answers TRACE on a known path with 405", async () => {
    const response = await raw(
      lines(`TRACE /v1/assign/${EXPERIMENT} HTTP/1.1`, "Host: edge.test", "Connection: close"),
    );
    expect(response?.status).toBe(405);
    expect(response?.head).toContain("allow: get, head, options");
  });
});

describe("a CORS preflight over HTTP", () => {
  it("is answered for the listed origin and not for another", async () => {
    const ask = (origin: string) =>
      fetch(`${dev.url}/v1/assign`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
    const listed = await ask("http://shop.localhost:5173");
    expect(listed.status).toBe(204);
    expect(listed.headers.get("access-control-allow-origin")).toBe("http://shop.localhost:5173");
    expect(listed.headers.get("access-control-allow-credentials")).toBe("true");
    const other = await ask("http://other.localhost:5173");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("GET /openapi.json", () => {
  it("is the committed document, served as a static asset to anyone", async () => {
    const response = await fetch(`${dev.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const text = await response.text();
    expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync("docs/openapi.json", "utf8")));
    expect(text).not.toContain(TOKEN);
  });
});
