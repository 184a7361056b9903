/**
 * A bounded, least-recently-used map of non-override sticky answers, one per isolate:
 * `(experiment, actor) → variant`. Such an answer never changes (weights do not move
 * it, an override only shadows it and the edge checks overrides first), so a repeat
 * visitor can be answered from here with no Durable Object call.
 */
export class StickyCache {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, string>();

  constructor(readonly capacity: number) {}

  get(experiment: string, actor: string): string | undefined {
    const key = keyOf(experiment, actor);
    const variant = this.entries.get(key);
    if (variant !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, variant);
    }
    return variant;
  }

  set(experiment: string, actor: string, variant: string): void {
    if (this.capacity === 0) return;
    const key = keyOf(experiment, actor);
    this.entries.delete(key);
    this.entries.set(key, variant);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

// NUL cannot occur in an experiment name, so the key is unambiguous.
const keyOf = (experiment: string, actor: string) => `${experiment}\u0000${actor}`;
