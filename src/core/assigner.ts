import { type AssignRequest, type AssignResult, outcomeResult, type Plan, planAssignment } from "./assignment";
import { ExperimentError } from "./errors";
import type { AssignmentStore, ExposureSink } from "./store";
import { type ExperimentConfig, type ExposureRecord, nowSecs } from "./types";

/** Who is being assigned, and the request id that exposures carry for correlation. */
export interface AssignCall {
  actor: string;
  requestId: string | null;
}

/**
 * Assigns one actor to several experiments with at most ONE store call: rules 1–3 and
 * the bucket are decided from the configs here, rules 4–7 for every running experiment
 * travel in a single `store.assign`. Each successful assignment of a running experiment
 * emits exactly one exposure; a failing sink is logged and never fails the assignment.
 *
 * A store that is down fails only the experiments that needed it, with
 * `store_unavailable`; the others (concluded, unknown, …) are still answered.
 *
 * @param experiments names and their configs (`null`: unknown), in evaluation order
 * @returns one result per distinct name, in the order given
 */
export async function assignExperiments(
  experiments: ReadonlyArray<readonly [string, ExperimentConfig | null]>,
  store: AssignmentStore,
  sink: ExposureSink,
  call: AssignCall,
): Promise<Map<string, AssignResult>> {
  const plans = new Map<string, Plan>();
  for (const [name, config] of experiments) {
    if (!plans.has(name)) plans.set(name, planAssignment(name, call.actor, config));
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
  for (const [experiment, result] of results) {
    if (!result.ok || !result.exposed) continue;
    exposures.push({
      experiment,
      variant: result.variant,
      actor: call.actor,
      request_id: call.requestId,
      is_override: result.is_override,
      timestamp_secs: timestamp,
    });
  }
  if (exposures.length > 0) emitExposures(sink, exposures);
  return results;
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
      return requests.map(() => ({ ok: false, error }));
    throw error;
  }
}

/** Hands the exposures to the sink, in one batch if it takes batches. */
function emitExposures(sink: ExposureSink, exposures: ExposureRecord[]): void {
  const recordBatch = sink.recordBatch;
  if (recordBatch) isolated(() => recordBatch.call(sink, exposures));
  else for (const exposure of exposures) isolated(() => sink.record(exposure));
}

/** Runs one delivery so that neither a throw nor a rejection reaches the assignment. */
function isolated(deliver: () => void | Promise<void>): void {
  try {
    const pending = deliver();
    if (pending instanceof Promise) pending.catch(logSinkFailure);
  } catch (error) {
    logSinkFailure(error);
  }
}

function logSinkFailure(error: unknown): void {
  console.error("exposure sink failed", error);
}
