import type * as v from "valibot";
import type { ApiErrorCode as ErrorCode } from "../api/problems";
import type * as s from "../api/schemas";

/**
 * The API's shapes as the client sends and receives them, inferred from the schemas the
 * Worker validates with (`src/api/schemas.ts`): type-only imports, so none of valibot
 * reaches a bundle of the client.
 */

/** A config as every read shows it. */
export type ExperimentConfig = v.InferOutput<typeof s.ExperimentConfigSchema>;
/** The body of a definition `PUT`: variants, and optionally description, group, targeting, coverage. */
export type Definition = v.InferInput<typeof s.DefineBody>;
/** `{name, weight}`. */
export type Variant = Definition["variants"][number];
/** One targeting condition as a definition states it (`case_insensitive` may be left out). */
export type TargetingCondition = NonNullable<Definition["targeting"]>[number];
/** One metric as a definition states it (`event`, `direction` and `role` may be left out). */
export type MetricDefinition = NonNullable<Definition["metrics"]>[number];
/** A definition's `schedule`: UNIX seconds in the future; `winner` goes with `conclude_at_secs`. */
export type ScheduleDefinition = NonNullable<Definition["schedule"]>;
/** What the registry will do by itself, and when, as every read shows it (`null` in `schedule`: nothing). */
export type Schedule = NonNullable<ExperimentConfig["schedule"]>;
/** One metric as every read shows it, its defaults filled in. */
export type Metric = ExperimentConfig["metrics"][number];
/** What targeting reads: attribute name → text, number or boolean (the schema's output: what it accepts). */
export type Attributes = v.InferOutput<typeof s.Attributes>;
export type ExperimentList = v.InferOutput<typeof s.ExperimentList>;
/** Every layer, with its experiments and free ranges (`GET /v1/admin/layers`). */
export type LayerList = v.InferOutput<typeof s.LayerList>;
/** An experiment's slice of a layer: `{name, range: [start, end]}`. */
export type Layer = NonNullable<ExperimentConfig["layer"]>;
export type HistoryResponse = v.InferOutput<typeof s.HistoryResponse>;
export type ChangeRecord = HistoryResponse["history"][number];
export type OverrideList = v.InferOutput<typeof s.OverrideList>;
export type OverrideSet = v.InferOutput<typeof s.OverrideSet>;
/** A stored assignment, as the admin lookup shows it. */
export type Assignment = v.InferOutput<typeof s.AssignmentSchema>;
/** One assignment, as `GET /v1/assign/{experiment}` answers it. */
export type AssignResponse = v.InferOutput<typeof s.AssignResponse>;
export type BatchAssignBody = v.InferInput<typeof s.BatchAssignBody>;
export type BatchAssignResponse = v.InferOutput<typeof s.BatchAssignResponse>;
/** Enrolments and exposures per variant and per day, the sample-ratio (SRM) check, and each metric's lift. */
export type ExperimentResults = v.InferOutput<typeof s.ResultsResponse>;
/** One metric's results: its variants' sums and each comparison with the baseline. */
export type MetricResults = ExperimentResults["metrics"][number];
/** One variant against the baseline: differences with their intervals, and the decision. */
export type Comparison = MetricResults["comparisons"][number];
/** `POST /v1/track`'s body: the actor (optional over HTTP with a header or cookie) and 1 to 100 events. */
export type TrackBody = v.InferInput<typeof s.TrackBody>;
export type TrackEvent = TrackBody["events"][number];
export type TrackResponse = v.InferOutput<typeof s.TrackResponse>;
/** One holdout as every read shows it. */
export type Holdout = v.InferOutput<typeof s.HoldoutSchema>;
/** Every holdout, by name, each with `members`: the experiments that name it. */
export type HoldoutList = v.InferOutput<typeof s.HoldoutList>;
/** The body of a holdout `PUT`: coverage (1 to 5000 basis points), and optionally description and metrics. */
export type HoldoutDefinition = v.InferInput<typeof s.HoldoutBody>;
export type HoldoutHistory = v.InferOutput<typeof s.HoldoutHistory>;
/** A holdout's results: an experiment's, for its arms `held_out` (the baseline) and `exposed`. */
export type HoldoutResults = v.InferOutput<typeof s.HoldoutResultsResponse>;
/** A webhook subscription as every read shows it: never its secret. */
export type Webhook = v.InferOutput<typeof s.WebhookSchema>;
/** A subscription with its signing secret (`whsec_…`), as its creation and a rotation answer it. */
export type WebhookWithSecret = v.InferOutput<typeof s.WebhookWithSecret>;
export type WebhookList = v.InferOutput<typeof s.WebhookList>;
/** The body of a webhook `PUT`: an https:// URL, and the event types (default: all). */
export type WebhookDefinition = v.InferInput<typeof s.WebhookBody>;
/** `experiment.created`, `override.set`, `guardrail.breached`, …: what a delivery's `type` says. */
export type WebhookEventType = Webhook["events"][number];
/** The name and scope (`read` or `write`) of the admin token a request presents. */
export type TokenIdentity = v.InferOutput<typeof s.TokenIdentity>;
/** An RFC 9457 problem document, as every error answer carries it. */
export type Problem = v.InferOutput<typeof s.Problem>;
/** One offending field of an `invalid_request`: a JSON Pointer into the body, or a parameter. */
export type FieldError = NonNullable<Problem["errors"]>[number];
export type { ErrorCode };
