import type { ApiErrorCode } from "../../api/problems";
import type { Attributes, Failure } from "../../core";
import type { AssignmentAnswer } from "../assign/assigner";

export type { AssignmentAnswer };

/** What an RPC assignment may carry besides the actor. */
export interface AssignOptions {
  /**
   * What targeting reads, and all it reads: an RPC call has no `request.cf`, so pass the
   * visitor's facts (`country`, …) yourself. At most 50; text of at most 256
   * characters, numbers or booleans, as in the HTTP batch body.
   */
  attributes?: Attributes;
  /** Carried by the exposures, for correlation: 1 to 128 printable ASCII characters. Default null. */
  requestId?: string | null;
  /**
   * The actor's sticky token from an earlier answer (`sticky_token`), when the
   * assignment Worker has `STICKY_SECRET`: known answers then cost no Durable Object
   * call. Keep it per actor, e.g. in the visitor's cookie. One that does not verify is
   * ignored.
   */
  stickyToken?: string | null;
}

/** A new sticky token for the actor, present when the assignment Worker issued one. */
export interface WithStickyToken {
  sticky_token?: string;
}

/** `assignMany`'s answer: every experiment's answer by name, or why the call itself was refused. */
export type AssignManyAnswer =
  | ({ ok: true; assignments: Record<string, AssignmentAnswer> } & WithStickyToken)
  | { ok: false; error: Failure<ApiErrorCode> };

/** `track`'s answer: how many events were queued, or why none was. */
export type TrackAnswer = { ok: true; accepted: number } | { ok: false; error: Failure<ApiErrorCode> };

/** One event as `track` takes it: `POST /v1/track`'s. */
export interface TrackedEventInput {
  /** The event's name: what a metric's `event` listens to. */
  event: string;
  /** What a `sum` metric adds (default 1). */
  value?: number;
  /** De-duplicates: the same (actor, id) counts once, for at least 7 days. */
  id?: string;
  /** UNIX seconds, within the last 7 days (default: now). */
  timestamp_secs?: number;
}

/**
 * The assignment Worker's RPC interface, as plain data in and out. `ExperimentsRpc`
 * implements it; a consumer types its binding as `ExperimentsService`, and a consumer's
 * unit test can stand in for the binding with any object of this shape.
 */
export interface ExperimentsApi {
  assign(experiment: string, actor: string, options?: AssignOptions): Promise<AssignmentAnswer & WithStickyToken>;
  assignMany(actor: string, experiments?: readonly string[] | null, options?: AssignOptions): Promise<AssignManyAnswer>;
  track(actor: string, events: readonly TrackedEventInput[]): Promise<TrackAnswer>;
}
