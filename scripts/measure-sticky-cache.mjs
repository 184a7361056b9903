// `node --expose-gc scripts/measure-sticky-cache.mjs`: the memory an isolate's sticky
// cache holds when full, for docs (BENCHMARKS.md): the heap before and after filling
// the real StickyCache with N answers of typical keys.
import os from "node:os";
import { bundleForNode } from "./lib/bundle.mjs";

const { StickyCache } = await import(await bundleForNode("src/edge/sticky/cache.ts", ".bench/sticky-cache.mjs"));
if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");

const heap = () => {
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
console.log(`${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}`);
for (const size of [10_000, 20_000, 50_000, 100_000]) {
  const before = heap();
  const cache = new StickyCache(size);
  // A typical key: an experiment name and an anonymous visitor id (anon:<uuid>, 41 characters).
  for (let i = 0; i < size; i++)
    cache.set("checkout_v2", `anon:${crypto.randomUUID()}`, i % 2 ? "control" : "treatment");
  const bytes = heap() - before;
  console.log(
    `${size} answers: ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${Math.round(bytes / size)} bytes each (${cache.size} held)`,
  );
}
