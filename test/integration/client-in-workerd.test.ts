// The typed client inside workerd, as a consumer Worker would run it: workerd writes a
// header string as UTF-8 itself, so the client must hand it the text unchanged (in Node
// it hands over the UTF-8 bytes instead; test/node covers that).
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ExperimentsClient } from "../../src/client";
import { BASE, fiftyFifty, TOKEN, unique } from "./helpers";

describe("the typed client in workerd", () => {
  it("sends a non-ASCII X-Admin-Actor that the history records intact", async () => {
    const name = unique("client-utf8");
    const client = (adminActor: string) =>
      new ExperimentsClient({
        baseUrl: BASE,
        token: TOKEN,
        adminActor,
        fetch: (url, init) => exports.default.fetch(new Request(url, init)),
      });
    await client("José").define(name, fiftyFifty);
    await client("ops 😀").start(name);
    const { history } = await client("x").history(name);
    expect(history.map((record) => record.actor)).toEqual(["admin/ops 😀", "admin/José"]);
  });
});
