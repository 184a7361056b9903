import { ExperimentError } from "../../core";

/** Which object a call is for, and whether it may be sent twice. */
export interface ObjectCall<Stub> {
  /** A fresh stub for each attempt: a stub whose object failed may stay broken. */
  stub: () => Stub;
  /** What the caller's error names: "the assignment store", "the registry", … */
  store: string;
  /**
   * Whether a call that failed retryably is sent once more. Only for idempotent calls:
   * an actor's assignment that did land is sticky, so a repeat returns the same
   * variant; an admin change is not (it would be recorded twice).
   */
  idempotent: boolean;
}

/**
 * One RPC to a Durable Object. An idempotent call is tried again once after an error
 * the platform marks `retryable` and not `overloaded` (a reset or moved object, a
 * dropped connection), as Cloudflare advises; a call that still fails is
 * `store_unavailable`, its cause logged.
 */
export async function callObject<Stub, T>(target: ObjectCall<Stub>, call: (stub: Stub) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(target.stub());
    } catch (error) {
      if (target.idempotent && attempt === 1 && isRetryable(error)) {
        console.warn(`${target.store} call failed; retrying once`, error);
        // A short, jittered pause, so that the callers of an object that just reset
        // do not all come back in the same instant.
        await scheduler.wait(20 + Math.random() * 30);
        continue;
      }
      console.error(`${target.store} call failed`, error);
      throw ExperimentError.storeUnavailable(`${target.store} did not answer; retry`);
    }
  }
}

/** Whether the platform says a failed Durable Object call may be sent again. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const flags = error as Error & { retryable?: unknown; overloaded?: unknown };
  return flags.retryable === true && flags.overloaded !== true;
}
