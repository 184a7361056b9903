import {
  type AssignRequest,
  type AssignResult,
  outcomeResult,
  type Plan,
  type PreparedExperiment,
  planAssignment,
} from "./assignment";
import { ExperimentError } from "./errors";
import type { AssignmentEvents, AssignmentStore, ExposureSink } from "./store";
import type { Attributes } from "./targeting";
import { type EnrolmentRecord, type ExposureRecord, nowSecs } from "./types";

/** Who is being assigned, with what attributes, and the request id that exposures carry for correlation. */
export interface AssignCall {
  actor: string;
  attributes: Attributes;
  requestId: string | null;
  /**
   * Whether the actor has an override in an experiment, when the caller knows every
   * override (the edge, from its config snapshot): an actor outside an experiment's
   * layer range is then refused without the store (`planAssignment`).
   */
  overridden?: (experiment: string) => boolean;
}

/**
 * The results by experiment, and the events they make: an exposure per success of a
 * running experiment, an enrolment per sticky assignment created.
 */
export interface Assignments extends AssignmentEvents {
  results: Map<string, AssignResult>;
}

/**
 * Assigns one actor to several experiments with at most ONE store call: rules 1–3,
 * eligibility and the bucket are decided from the configs here, and rules 4–8 for
 * every running experiment travel in a single `store.assign`. Each successful assignment of a running experiment
 * owes exactly one exposure; the caller hands them to `deliverEvents` when it suits
 * it (the Worker after its response, the service at once).
 *
 * A store that is down fails only the experiments that needed it, with
 * `store_unavailable`; the others (concluded, unknown, …) are still answered.
 *
 * @param experiments names and their configs (`null`: unknown), in evaluation order
 * @returns one result per distinct name, in the order given, and the exposures owed
 */
export async function assignExperiments(
  experiments: ReadonlyArray<readonly [string, PreparedExperiment | null]>,
  store: AssignmentStore,
  call: AssignCall,
): Promise<Assignments> {
  const plans = new Map<string, Plan>();
  const revisions = new Map<string, number>();
  for (const [name, prepared] of experiments) {
    if (plans.has(name)) continue;
    const known = call.overridden === undefined ? undefined : { overridden: call.overridden(name) };
    plans.set(name, planAssignment(name, call.actor, prepared, call.attributes, known));
    if (prepared !== null) revisions.set(name, prepared.config.revision);
  }
  const requests = [...plans.values()].flatMap((plan) => (plan.kind === "store" ? [plan.request] : []));
  const stored = requests.length === 0 ? [] : await assignAtStore(store, call.actor, requests);

  const results = new Map<string, AssignResult>();
  let next = 0;
  for (const [name, plan] of plans) {
    results.set(name, plan.kind === "decided" ? plan.result : (stored[next++] as AssignResult));
  }

  const timestamp = nowSecs();
  const exposures: ExposureRecord[] = [];
  const enrolments: EnrolmentRecord[] = [];
  for (const [experiment, result] of results) {
    if (!result.ok) continue;
    const { variant, is_override, exposed, enrolled } = result.value;
    const { actor, requestId } = call;
    if (exposed)
      exposures.push({ experiment, variant, actor, request_id: requestId, is_override, timestamp_secs: timestamp });
    if (enrolled) {
      const revision = revisions.get(experiment) ?? 1;
      enrolments.push({ experiment, variant, actor, revision, timestamp_secs: timestamp });
    }
  }
  return { results, exposures, enrolments };
}

/** One store call for every request; an unavailable store fails each of them alike. */
async function assignAtStore(
  store: AssignmentStore,
  actor: string,
  requests: AssignRequest[],
): Promise<AssignResult[]> {
  try {
    const outcomes = await store.assign(actor, requests);
    if (outcomes.length !== requests.length) {
      throw new Error(`store answered ${outcomes.length} of ${requests.length} requests`);
    }
    return outcomes.map(outcomeResult);
  } catch (error) {
    if (error instanceof ExperimentError && error.code === "store_unavailable")
      return requests.map(() => ({ ok: false, error: error.failure }));
    throw error;
  }
}

/**
 * Hands an assignment's events to the sink: all at once if it takes events, else the
 * exposures one by one. Never rejects: a sink that throws or rejects is logged and
 * never fails an assignment. A synchronous sink receives every event before this returns.
 */
export async function deliverEvents(sink: ExposureSink, events: AssignmentEvents): Promise<void> {
  const { exposures, enrolments } = events;
  try {
    if ("recordEvents" in sink) {
      if (exposures.length > 0 || enrolments.length > 0) await sink.recordEvents(events);
    } else {
      for (const exposure of exposures) {
        const pending = sink.record(exposure);
        if (pending instanceof Promise) await pending;
      }
    }
  } catch (error) {
    console.error("exposure sink failed", error);
  }
}
