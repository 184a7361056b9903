// Mulberry32: a tiny seeded generator, so that generated cases (golden vectors, the
// validity report's UUIDs) are the same on every run.

/** A generator of unsigned 32-bit integers seeded with `seed`. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
