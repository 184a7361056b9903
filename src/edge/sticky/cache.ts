import { LruMap } from "./lru";

/**
 * A bounded, least-recently-used map of non-override sticky answers, one per isolate:
 * `(experiment, actor) → variant`. Such an answer never changes (weights do not move
 * it, an override only shadows it and the edge checks overrides first), so a repeat
 * visitor can be answered from here with no Durable Object call.
 */
export class StickyCache {
  /** Each answer with when it was learned (UNIX seconds), so that an erasure after it voids it. */
  private readonly answers: LruMap<string, { variant: string; at: number }>;

  constructor(readonly capacity: number) {
    this.answers = new LruMap(capacity);
  }

  /** The answer, unless it was learned at or before `erasedAt` (the actor's erasure, if any). */
  get(experiment: string, actor: string, erasedAt: number | null = null): string | undefined {
    const answer = this.answers.get(keyOf(experiment, actor));
    return answer === undefined || (erasedAt !== null && answer.at <= erasedAt) ? undefined : answer.variant;
  }

  set(experiment: string, actor: string, variant: string, at: number): void {
    this.answers.set(keyOf(experiment, actor), { variant, at });
  }

  get size(): number {
    return this.answers.size;
  }
}

// NUL cannot occur in an experiment name, so the key is unambiguous.
const keyOf = (experiment: string, actor: string) => `${experiment}\u0000${actor}`;
