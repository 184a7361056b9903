import { type AssignmentStore, type AssignOutcome, type AssignRequest, nowSecs } from "../../core";
import type { CompiledSnapshot } from "../config/snapshot";
import type { StickyCache } from "./cache";

/**
 * The actor's object, behind what the edge already knows. A request whose actor has no
 * override in the snapshot (rule 4 comes first) and a known non-override sticky answer
 * (from the sticky token, or this isolate's cache) is answered here; the rest go to the
 * object in ONE call, as before, and what it answers is learned. Rules 1–3 were decided
 * before the store, and exclusion stays the object's: an answered experiment is one the
 * actor is in, and a sibling still goes to the object, which knows.
 *
 * A held-out actor's answer (the baseline) is known like a sticky one once the object
 * has recorded its holdout arm; whether it is held out is the hash's, so the known
 * answer gets its `holdout` back from the request.
 */
export class StickyAssignmentStore implements AssignmentStore {
  /** The non-override sticky answers of this call: what the next sticky token holds. */
  readonly known: Map<string, string>;

  /**
   * @param fromToken what the actor's sticky token holds (none when it was issued before the actor's erasure)
   * @param erasedAt when the actor was erased, if recently: cached answers from before are void
   */
  constructor(
    private readonly object: AssignmentStore,
    private readonly snapshot: CompiledSnapshot,
    private readonly cache: StickyCache,
    fromToken: ReadonlyMap<string, string>,
    private readonly erasedAt: number | null = null,
  ) {
    this.known = new Map(fromToken);
  }

  async assign(actor: string, requests: readonly AssignRequest[]): Promise<AssignOutcome[]> {
    const outcomes: (AssignOutcome | undefined)[] = [];
    const remote: number[] = [];
    requests.forEach((request, i) => {
      const { experiment } = request;
      const variant = this.snapshot.hasOverride(experiment, actor)
        ? undefined
        : (this.known.get(experiment) ?? this.cache.get(experiment, actor, this.erasedAt));
      if (variant !== undefined && request.variants.includes(variant)) {
        this.known.set(experiment, variant);
        const heldOut = request.holdout?.held_out === true ? { holdout: request.holdout.name } : {};
        outcomes[i] = { ok: true, value: { variant, is_override: false, enrolled: false, ...heldOut } };
      } else remote.push(i);
    });
    if (remote.length > 0) {
      const answers = await this.object.assign(
        actor,
        remote.map((i) => requests[i] as AssignRequest),
      );
      if (answers.length !== remote.length) throw new Error(`store answered ${answers.length} of ${remote.length}`);
      answers.forEach((outcome, j) => {
        const i = remote[j] as number;
        outcomes[i] = outcome;
        if (outcome.ok && !outcome.value.is_override) {
          const experiment = (requests[i] as AssignRequest).experiment;
          this.cache.set(experiment, actor, outcome.value.variant, nowSecs());
          this.known.set(experiment, outcome.value.variant);
        }
      });
    }
    return outcomes as AssignOutcome[];
  }
}
