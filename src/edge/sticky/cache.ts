import { LruMap } from "./lru";

/**
 * A bounded, least-recently-used map of non-override sticky answers, one per isolate:
 * `(experiment, actor) → variant`. Such an answer never changes (weights do not move
 * it, an override only shadows it and the edge checks overrides first), so a repeat
 * visitor can be answered from here with no Durable Object call.
 */
export class StickyCache {
  private readonly answers: LruMap<string, string>;

  constructor(readonly capacity: number) {
    this.answers = new LruMap(capacity);
  }

  get(experiment: string, actor: string): string | undefined {
    return this.answers.get(keyOf(experiment, actor));
  }

  set(experiment: string, actor: string, variant: string): void {
    this.answers.set(keyOf(experiment, actor), variant);
  }

  get size(): number {
    return this.answers.size;
  }
}

// NUL cannot occur in an experiment name, so the key is unambiguous.
const keyOf = (experiment: string, actor: string) => `${experiment}\u0000${actor}`;
