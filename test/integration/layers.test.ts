// Layers: experiments that split one population by ranges of a shared hash. An actor
// enters an experiment only when bucket_v2("<layer>/layer:<actor>") falls in its range,
// decided at the edge with no Durable Object call; running experiments of a layer may
// not overlap; a layer slice is fixed once the experiment has run.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { bucketV2BigInt } from "../../scripts/fnv-reference.mjs";
import { layerBucket } from "../../src/core";
import { ActorObject } from "../../src/edge/objects/actor/actor-object";
import { admin, call, callsOf, fiftyFifty, ok, problem, publish, runningExperiment, unique } from "./helpers";

/** The reference's bucket of an actor in a layer: BigInt FNV-1a 64, fmix64, mod 10 000. */
const referenceBucket = (layer: string, actor: string) => bucketV2BigInt(`${layer}/layer:${actor}`);

const define = (name: string, layer: object | undefined, more: object = {}) =>
  admin("PUT", `/experiments/${name}`, { ...fiftyFifty, ...more, ...(layer === undefined ? {} : { layer }) });

describe("an experiment's layer", () => {
  it("is shown by every read, null without one, and written to the edge's snapshot", async () => {
    const [name, plain] = [unique("layered"), unique("unlayered")];
    const created = await ok<{ layer: unknown }>(define(name, { name: "checkout", range: [0, 2500] }), 201);
    expect(created.layer).toEqual({ name: "checkout", range: [0, 2500] });
    expect((await ok<{ layer: unknown }>(admin("GET", `/experiments/${name}`))).layer).toEqual(created.layer);
    expect((await ok<{ layer: unknown }>(define(plain, undefined), 201)).layer).toBeNull();
    const list = await ok<{ experiments: { name: string; layer: unknown }[] }>(admin("GET", "/experiments"));
    expect(list.experiments.find((e) => e.name === name)?.layer).toEqual(created.layer);
    await publish();
    const snapshot = JSON.parse((await env.CONFIG.get("config-snapshot:v1")) as string);
    const stored = snapshot.experiments.find((e: { name: string }) => e.name === name);
    expect(stored.layer).toEqual({ name: "checkout", range: [0, 2500] });
    // A config without a layer is stored without the field, as before layers existed.
    expect("layer" in snapshot.experiments.find((e: { name: string }) => e.name === plain)).toBe(false);
  });

  it.each([
    ["a name with ':'", { name: "a:b", range: [0, 10] }, 422, "/layer/name"],
    ["a name with a newline", { name: "a\nb", range: [0, 10] }, 422, "/layer/name"],
    ["an empty range", { name: "l", range: [5000, 5000] }, 422, "/layer/range"],
    ["a reversed range", { name: "l", range: [6000, 5000] }, 422, "/layer/range"],
    ["a negative start", { name: "l", range: [-1, 10] }, 422, "/layer/range"],
    ["an end past 10000", { name: "l", range: [0, 10001] }, 422, "/layer/range"],
    ["a fractional bound", { name: "l", range: [0.5, 10] }, 422, "/layer/range"],
    ["a range of one number", { name: "l", range: [10] }, 400, "/layer/range/1"],
    ["a range of three numbers", { name: "l", range: [0, 1, 2] }, 400, "/layer/range/2"],
    ["no range", { name: "l" }, 400, "/layer/range"],
    ["an unknown field", { name: "l", range: [0, 10], size: 3 }, 400, "/layer/size"],
  ])("refuses %s with its pointer, and stores nothing", async (_, layer, status, pointer) => {
    const name = unique("bad-layer");
    const { body } = await problem(define(name, layer), status, status === 422 ? "invalid_config" : "invalid_request");
    expect((body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain(pointer);
    await problem(admin("GET", `/experiments/${name}`), 404, "not_found");
  });

  it("is fixed once the experiment has run: 409 layer_locked, while a draft may change it", async () => {
    const name = unique("locked-layer");
    await ok(define(name, { name: "lock", range: [0, 5000] }), 201);
    await ok(define(name, { name: "lock", range: [0, 4000] }));
    await ok(admin("POST", `/experiments/${name}/start`));
    for (const layer of [{ name: "lock", range: [0, 5000] }, { name: "other", range: [0, 4000] }, undefined]) {
      const { body } = await problem(define(name, layer), 409, "layer_locked");
      expect(body.detail).toContain(name);
    }
    // The same slice again is no change: other fields still change.
    await ok(define(name, { name: "lock", range: [0, 4000] }, { description: "still fine" }));
  });
});

describe("starting experiments of one layer", () => {
  it("refuses an overlap with a running experiment (409 layer_overlap naming it); drafts may overlap", async () => {
    const layer = unique("overlap");
    const [a, b, c] = [unique("ov-a"), unique("ov-b"), unique("ov-c")];
    await ok(define(a, { name: layer, range: [0, 6000] }), 201);
    await ok(define(b, { name: layer, range: [5000, 10000] }), 201); // overlaps a: fine as drafts
    await ok(define(c, { name: layer, range: [6000, 10000] }), 201);
    await ok(admin("POST", `/experiments/${a}/start`));
    const { body } = await problem(admin("POST", `/experiments/${b}/start`), 409, "layer_overlap");
    expect(body.detail).toContain(`'${a}'`);
    expect(body.detail).toContain(`'${layer}'`);
    await ok(admin("POST", `/experiments/${c}/start`)); // touching at 6000, not overlapping
    // Once a is concluded, its range is free for b (the restart rule is the same).
    await ok(admin("POST", `/experiments/${a}/conclude`, { winner: "control" }));
    await problem(admin("POST", `/experiments/${b}/start`), 409, "layer_overlap"); // c still holds [6000, 10000)
    await ok(admin("POST", `/experiments/${c}/archive`));
    await ok(admin("POST", `/experiments/${b}/start`));
    // And a restarted a now overlaps b.
    const again = await problem(admin("POST", `/experiments/${a}/start`), 409, "layer_overlap");
    expect(again.body.detail).toContain(`'${b}'`);
  });

  it("GET /v1/admin/layers lists each layer's experiments by range and its free ranges", async () => {
    const layer = unique("listed");
    const [x, y, z] = [unique("ls-x"), unique("ls-y"), unique("ls-z")];
    await ok(define(x, { name: layer, range: [1000, 3000] }), 201);
    await ok(define(y, { name: layer, range: [6000, 7000] }), 201);
    await ok(define(z, { name: layer, range: [0, 2000] }), 201);
    await ok(admin("POST", `/experiments/${x}/start`));
    await ok(admin("POST", `/experiments/${y}/start`));
    const { layers } = await ok<{ layers: { name: string }[] }>(admin("GET", "/layers"));
    expect(layers.find((l) => l.name === layer)).toEqual({
      name: layer,
      experiments: [
        { name: z, state: "draft", range: [0, 2000] },
        { name: x, state: "running", range: [1000, 3000] },
        { name: y, state: "running", range: [6000, 7000] },
      ],
      free: [
        [0, 1000],
        [3000, 6000],
        [7000, 10000],
      ],
    });
    await ok(admin("POST", `/experiments/${x}/archive`));
    const after = await ok<{ layers: { name: string; experiments: { name: string }[] }[] }>(admin("GET", "/layers"));
    expect(after.layers.find((l) => l.name === layer)?.experiments.map((e) => e.name)).toEqual([z, y]);
  });
});

describe("assignment in a layer", () => {
  it("splits actors exactly by the reference hash, never into two experiments, with no object call to refuse", async () => {
    const layer = unique("tiled");
    const names = [unique("tile-a"), unique("tile-b"), unique("tile-c")];
    const ranges: [number, number][] = [
      [0, 2000],
      [2000, 7500],
      [7500, 10000],
    ];
    for (const [i, name] of names.entries()) {
      await runningExperiment(name, { ...fiftyFifty, hash_version: 2, layer: { name: layer, range: ranges[i] } });
    }
    const assignCalls = vi.spyOn(ActorObject.prototype, "assign");
    const expected = (actor: string) => {
      const bucket = referenceBucket(layer, actor);
      return names[ranges.findIndex(([start, end]) => bucket >= start && bucket < end)];
    };
    let refusedWithoutCall = 0;
    for (let i = 0; i < 300; i++) {
      const actor = `tiler:${i}`;
      expect(layerBucket(layer, actor)).toBe(referenceBucket(layer, actor));
      const entered: string[] = [];
      for (const name of names) {
        const response = await call("GET", `/v1/assign/${name}?actor=${actor}`, { headers: {} });
        if (response.status === 200) {
          entered.push(name);
          continue;
        }
        const body = (await response.json()) as { code: string; detail: string };
        expect(body.code).toBe("not_eligible");
        expect(body.detail).toContain(`layer '${layer}'`);
        if (callsOf(response).actor === 0) refusedWithoutCall++;
      }
      expect(entered).toEqual([expected(actor)]);
    }
    // 300 actors, two refusals each, none of them a Durable Object call.
    expect(refusedWithoutCall).toBe(600);
    expect(assignCalls).toHaveBeenCalledTimes(300);
  }, 60_000); // 900 requests: beside other suites, more than the default 5 s

  it("lets an override reach an actor outside the range (rule 4 comes before eligibility)", async () => {
    const layer = unique("override-layer");
    const name = unique("narrow");
    await runningExperiment(name, { ...fiftyFifty, layer: { name: layer, range: [0, 1] } });
    const outsider = Array.from({ length: 50 }, (_, i) => `outsider:${i}`).find(
      (actor) => referenceBucket(layer, actor) >= 1,
    ) as string;
    await problem(call("GET", `/v1/assign/${name}?actor=${outsider}`), 409, "not_eligible");
    await ok(admin("PUT", `/experiments/${name}/overrides/${outsider}`, { variant: "treatment" }));
    await publish();
    const answer = await ok<{ variant: string; is_override: boolean }>(
      call("GET", `/v1/assign/${name}?actor=${outsider}`),
    );
    expect(answer).toMatchObject({ variant: "treatment", is_override: true });
  });
});
