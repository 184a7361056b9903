import type * as v from "valibot";
import type { ApiErrorCode } from "./problems";
import * as s from "./schemas";

type Schema = v.GenericSchema;

/**
 * One route of the HTTP API: what the router serves, what it validates, and what the
 * OpenAPI document says, all from this one entry.
 */
export interface RouteSpec {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** `:name` is a path parameter: one whole segment (`src/edge/http/router.ts`). */
  path: string;
  summary: string;
  /** Longer prose for the OpenAPI document, where the summary is not enough. */
  description?: string;
  /** `public`: anyone; `read` and `write`: an admin bearer token. */
  access: "public" | "read" | "write";
  /** Pages on the origins in `CORS_ORIGINS` may call it from a browser (public routes only). */
  cors?: true;
  /**
   * Served by Workers Static Assets (dist/assets), not by the Worker: the router only
   * answers its other methods (`OPTIONS`, `405`), and its `GET` with `404` when no asset is there.
   */
  asset?: true;
  params?: Schema;
  query?: Schema;
  body?: Schema;
  /** Success statuses and their bodies (`null`: none). */
  responses: Record<number, { description: string; schema: Schema | null }>;
  /** The error codes this route can answer with, besides those every route or every admin route can. */
  errors: readonly ApiErrorCode[];
}

/** Codes any route may answer with. */
export const COMMON_ERRORS: readonly ApiErrorCode[] = ["invalid_request", "internal"];
/** Codes any admin route may answer with. */
export const ADMIN_ERRORS: readonly ApiErrorCode[] = ["unauthorized", "admin_disabled", "store_unavailable"];

const EXPERIMENT = "/v1/admin/experiments/:name";
const HOLDOUT = "/v1/admin/holdouts/:name";
const WEBHOOK = "/v1/admin/webhooks/:name";

const ACTOR =
  "The actor is `actor` (in the query of GET, in the body of POST), else the `X-Actor-Id` header, else the " +
  "`exp_actor` cookie, else a new `anon:<uuid>` that the response sets as that cookie; an `exp_actor` cookie " +
  "that is not a valid actor id is replaced the same way. A query parameter the route reads may be given " +
  "once, as valid percent-encoded UTF-8 (others are ignored); POST refuses `actor` and `attr.*` in its query.";
const RULES =
  "The rules, in order: 1. archived → archived; 2. concluded → the winner for everyone, no exposure; " +
  "3. draft → not_running; 4. an override → its variant (is_override: true), shadowing the sticky assignment; " +
  "5. a sticky assignment → its variant, whatever targeting and coverage say now; 6. eligibility: every " +
  "targeting condition must hold, then the actor's layer bucket must fall in the experiment's layer range, " +
  "then its coverage bucket must be below the coverage, else not_eligible (nothing stored); 6½. holdout: an " +
  "actor the experiment's holdout keeps back gets the first variant with `holdout` in the answer, and is " +
  "not enrolled; 7. an assignment in a sibling of the exclusion group → excluded_by_group; " +
  "8. bucket (FNV-1a 64 of `<experiment>:<actor>` mod 10 000) and weights, stored sticky, first writer wins; " +
  "all weights zero → no_variant. Attributes for targeting: `attr.<name>=<value>` query parameters (GET) or " +
  "`attributes` in the batch body (POST), over the request's own country, continent, colo, asn, region_code and " +
  `is_eu_country. ${ACTOR}`;
const config = (description: string) => ({ description, schema: s.ExperimentConfigSchema });

export const ROUTES = {
  assign: {
    method: "GET",
    path: "/v1/assign/:experiment",
    summary: "The variant an actor sees in one experiment",
    description: RULES,
    access: "public",
    cors: true,
    params: s.AssignParams,
    query: s.AssignQuery,
    responses: { 200: { description: "The assignment", schema: s.AssignResponse } },
    errors: [
      "not_found",
      "not_running",
      "archived",
      "not_eligible",
      "excluded_by_group",
      "no_variant",
      "store_unavailable",
    ],
  },
  assignBatch: {
    method: "POST",
    path: "/v1/assign",
    summary: "One actor in several experiments, one store call; one failing does not fail the rest",
    description:
      "Without `experiments`, every running or concluded experiment in name order; with it, at most 100 names " +
      "evaluated in the order given (which decides the experiment of an exclusion group an unassigned actor " +
      `lands in). ${ACTOR}`,
    access: "public",
    cors: true,
    body: s.BatchAssignBody,
    responses: { 200: { description: "One entry per experiment", schema: s.BatchAssignResponse } },
    errors: ["payload_too_large", "unsupported_media_type"],
  },
  track: {
    method: "POST",
    path: "/v1/track",
    summary: "Events of one actor, for the metrics of the experiments it is enrolled in",
    description:
      "1 to 100 events; the actor as for assignment (`actor` in the body, else `X-Actor-Id`, else the " +
      "`exp_actor` cookie), and with none a 400: a visitor never assigned has no enrolment to count them for. " +
      "Any invalid event refuses the whole request, and nothing is counted. Answered once the events are " +
      "queued: the queue's consumer counts an event for an experiment's metric that listens to it when the " +
      "actor has a stored assignment there that no override shadows, the event is not older than that " +
      "assignment, and the experiment is running; others are counted as `unattributed` in the results, or " +
      "dropped when no metric listens to them.",
    access: "public",
    cors: true,
    body: s.TrackBody,
    responses: { 202: { description: "Queued", schema: s.TrackResponse } },
    errors: ["payload_too_large", "unsupported_media_type"],
  },
  listExperiments: {
    method: "GET",
    path: "/v1/admin/experiments",
    summary: "Every experiment, sorted by name",
    access: "read",
    responses: { 200: { description: "The configs", schema: s.ExperimentList } },
    errors: [],
  },
  getExperiment: {
    method: "GET",
    path: EXPERIMENT,
    summary: "One experiment's config",
    access: "read",
    params: s.ExperimentParams,
    responses: { 200: config("The config") },
    errors: ["not_found"],
  },
  defineExperiment: {
    method: "PUT",
    path: EXPERIMENT,
    summary:
      "Declare a draft, or replace the definition keeping state and winner (the group changes only on a draft that never ran)",
    access: "write",
    params: s.ExperimentParams,
    body: s.DefineBody,
    responses: { 200: config("Definition replaced"), 201: config("Draft created") },
    errors: [
      "archived",
      "invalid_config",
      "variant_in_use",
      "group_locked",
      "hash_locked",
      "layer_locked",
      "holdout_locked",
      "payload_too_large",
      "unsupported_media_type",
    ],
  },
  startExperiment: {
    method: "POST",
    path: `${EXPERIMENT}/start`,
    summary: "Draft or concluded → running",
    description:
      "An experiment with a layer cannot start while a running experiment holds an overlapping range of the same layer (409 layer_overlap, naming it).",
    access: "write",
    params: s.ExperimentParams,
    responses: { 200: config("Running") },
    errors: ["not_found", "archived", "layer_overlap"],
  },
  concludeExperiment: {
    method: "POST",
    path: `${EXPERIMENT}/conclude`,
    summary: "Everyone sees the winner; no more exposures",
    access: "write",
    params: s.ExperimentParams,
    body: s.ConcludeBody,
    responses: { 200: config("Concluded") },
    errors: ["not_found", "archived", "invalid_config", "payload_too_large", "unsupported_media_type"],
  },
  archiveExperiment: {
    method: "POST",
    path: `${EXPERIMENT}/archive`,
    summary: "Any state → archived, for good (archiving again is 409 archived)",
    access: "write",
    params: s.ExperimentParams,
    responses: { 200: config("Archived") },
    errors: ["not_found", "archived"],
  },
  setWeights: {
    method: "PUT",
    path: `${EXPERIMENT}/weights`,
    summary: "New weights for new actors (draft or running); sticky assignments stay",
    access: "write",
    params: s.ExperimentParams,
    body: s.WeightsBody,
    responses: { 200: config("Reweighted") },
    errors: [
      "not_found",
      "not_running",
      "archived",
      "invalid_config",
      "variant_in_use",
      "payload_too_large",
      "unsupported_media_type",
    ],
  },
  setCoverage: {
    method: "PUT",
    path: `${EXPERIMENT}/coverage`,
    summary: "Ramp: the share of eligible new actors that may enter (draft or running); enrolled actors stay",
    access: "write",
    params: s.ExperimentParams,
    body: s.CoverageBody,
    responses: { 200: config("Coverage set") },
    errors: ["not_found", "not_running", "archived", "invalid_config", "payload_too_large", "unsupported_media_type"],
  },
  history: {
    method: "GET",
    path: `${EXPERIMENT}/history`,
    summary: "The change history, newest first (empty for an unknown experiment)",
    access: "read",
    params: s.ExperimentParams,
    query: s.HistoryQuery,
    responses: { 200: { description: "The history", schema: s.HistoryResponse } },
    errors: [],
  },
  results: {
    method: "GET",
    path: `${EXPERIMENT}/results`,
    summary:
      "Counted enrolments and exposures per variant and per UTC day, the sample-ratio (SRM) check, and each metric's lift with its intervals",
    description:
      "Expected enrolments per variant are the sum over config revisions of that revision's enrolments times " +
      "the variant's weight share then; Pearson's chi-square over variants with a positive expectation, " +
      "df = those variants − 1. status: insufficient_data below 100 enrolments or any expected count below 5, " +
      "mismatch when p_value < 0.001, else ok (a mismatch makes `analysis.trustworthy` false). Per metric, " +
      "each variant after the first is compared with the first: the absolute and relative difference of means " +
      "with (1 − alpha) intervals, sequential (valid however often looked at) or fixed (Welch's t test), and a " +
      "decision from the absolute interval and the metric's direction; docs/STATISTICS.md gives the formulas. " +
      "Counts lag assignments and tracked events by the events queue's batch delay (about a second); each " +
      "event is counted once, by its queue message id.",
    access: "read",
    params: s.ExperimentParams,
    query: s.ResultsQuery,
    responses: { 200: { description: "The results", schema: s.ResultsResponse } },
    errors: ["not_found"],
  },
  listLayers: {
    method: "GET",
    path: "/v1/admin/layers",
    summary: "Every layer an experiment names, with its experiments and the ranges free of running ones",
    description:
      "A layer needs no creation call: it exists while an experiment that is not archived names it. Experiments by range start; `free` lists the parts of [0, 10000) that no running experiment holds.",
    access: "read",
    responses: { 200: { description: "The layers, by name", schema: s.LayerList } },
    errors: [],
  },
  listHoldouts: {
    method: "GET",
    path: "/v1/admin/holdouts",
    summary: "Every holdout, by name, with the experiments that name it",
    access: "read",
    responses: { 200: { description: "The holdouts", schema: s.HoldoutList } },
    errors: [],
  },
  getHoldout: {
    method: "GET",
    path: HOLDOUT,
    summary: "One holdout",
    access: "read",
    params: s.HoldoutParams,
    responses: { 200: { description: "The holdout", schema: s.HoldoutSchema } },
    errors: ["not_found"],
  },
  defineHoldout: {
    method: "PUT",
    path: HOLDOUT,
    summary: "Create a holdout, or replace its definition (its coverage is fixed once any member experiment has run)",
    description:
      "An experiment joins it with `holdout` in its definition. An actor whose bucket_v2 of `<holdout>/holdout:<actor>` mod 10000 is below the coverage is held out of every member: it gets the member's first variant (with `holdout` in the answer), is not enrolled and sees no exposure. The holdout is measured as an experiment of two arms, held_out and exposed (GET …/results).",
    access: "write",
    params: s.HoldoutParams,
    body: s.HoldoutBody,
    responses: {
      200: { description: "Definition replaced", schema: s.HoldoutSchema },
      201: { description: "Holdout created", schema: s.HoldoutSchema },
    },
    errors: ["invalid_config", "holdout_locked", "payload_too_large", "unsupported_media_type"],
  },
  deleteHoldout: {
    method: "DELETE",
    path: HOLDOUT,
    summary: "Delete a holdout no experiment (that is not archived) names",
    access: "write",
    params: s.HoldoutParams,
    responses: { 204: { description: "Deleted", schema: null } },
    errors: ["not_found", "holdout_in_use"],
  },
  holdoutHistory: {
    method: "GET",
    path: `${HOLDOUT}/history`,
    summary: "A holdout's change history, newest first (empty for an unknown holdout)",
    access: "read",
    params: s.HoldoutParams,
    query: s.HistoryQuery,
    responses: { 200: { description: "The history", schema: s.HoldoutHistory } },
    errors: [],
  },
  holdoutResults: {
    method: "GET",
    path: `${HOLDOUT}/results`,
    summary:
      "A holdout's arms (held_out, exposed): enrolments, the SRM check and its metrics' lift of exposed over held_out",
    description:
      "An actor's arm is recorded the first time it passes eligibility for any member experiment, and counted (like an enrolment) by its actor object's outbox about a minute later; expected shares are coverage/10000 and the rest. Metrics are attributed as an experiment's, from the arm's recording on. Query as for an experiment's results.",
    access: "read",
    params: s.HoldoutParams,
    query: s.ResultsQuery,
    responses: { 200: { description: "The results", schema: s.HoldoutResultsResponse } },
    errors: ["not_found"],
  },
  eraseActor: {
    method: "DELETE",
    path: "/v1/admin/actors/:actor",
    summary: "Erase an actor: its assignments, overrides, holdout arms, metric totals and event ids, everywhere",
    description:
      "Idempotent (204 every time). Aggregated counts stay: they hold no identity. Each experiment the actor was in records `erased` in its history, with the admin actor but not the erased actor's id. Within the propagation bound of a config change (about two seconds, plus CONFIG_CACHE_TTL_MS), no isolate's cache answers for the actor with what it learned before, and a sticky token issued before the erasure is ignored: the actor is bucketed as new.",
    access: "write",
    params: s.ActorParams,
    responses: { 204: { description: "Erased", schema: null } },
    errors: [],
  },
  listWebhooks: {
    method: "GET",
    path: "/v1/admin/webhooks",
    summary: "Every webhook subscription, by name, without its secret",
    access: "read",
    responses: { 200: { description: "The subscriptions", schema: s.WebhookList } },
    errors: [],
  },
  defineWebhook: {
    method: "PUT",
    path: WEBHOOK,
    summary:
      "Subscribe a URL to changes (201 with its secret, shown only then), or replace a subscription (200, the secret kept)",
    description:
      "Deliveries follow Standard Webhooks: POST {type, timestamp, data} with webhook-id (the same on every attempt), webhook-timestamp and webhook-signature (v1,base64 HMAC-SHA256 of '<id>.<timestamp>.<body>' keyed with the secret's decoded bytes). They travel through the events queue, never on the admin request's path; a non-2xx answer, a network failure or 10 s without an answer is retried after 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h and 12 h, then kept in the dead-letter queue; a delivery answered 2xx is never sent again. data holds the experiment's config after the change, the change, and who made it.",
    access: "write",
    params: s.WebhookParams,
    body: s.WebhookBody,
    responses: {
      200: { description: "Replaced (the secret is not shown)", schema: s.WebhookSchema },
      201: { description: "Created, with its secret", schema: s.WebhookWithSecret },
    },
    errors: ["invalid_config", "payload_too_large", "unsupported_media_type"],
  },
  deleteWebhook: {
    method: "DELETE",
    path: WEBHOOK,
    summary: "Unsubscribe (its waiting deliveries are dropped)",
    access: "write",
    params: s.WebhookParams,
    responses: { 204: { description: "Deleted", schema: null } },
    errors: ["not_found"],
  },
  rotateWebhook: {
    method: "POST",
    path: `${WEBHOOK}/rotate`,
    summary: "A new signing secret, shown only in this answer; the old one signs nothing from now on",
    access: "write",
    params: s.WebhookParams,
    responses: { 200: { description: "The subscription with its new secret", schema: s.WebhookWithSecret } },
    errors: ["not_found"],
  },
  listOverrides: {
    method: "GET",
    path: `${EXPERIMENT}/overrides`,
    summary: "The experiment's overrides, sorted by actor",
    access: "read",
    params: s.ExperimentParams,
    responses: { 200: { description: "The overrides", schema: s.OverrideList } },
    errors: ["not_found"],
  },
  setOverride: {
    method: "PUT",
    path: `${EXPERIMENT}/overrides/:actor`,
    summary: "Pin an actor to a variant; it shadows the actor's sticky assignment",
    access: "write",
    params: s.ExperimentActorParams,
    body: s.OverrideBody,
    responses: { 200: { description: "The override", schema: s.OverrideSet } },
    errors: ["not_found", "archived", "invalid_config", "payload_too_large", "unsupported_media_type"],
  },
  removeOverride: {
    method: "DELETE",
    path: `${EXPERIMENT}/overrides/:actor`,
    summary: "Remove an override: the actor's own sticky assignment, if any, applies again",
    access: "write",
    params: s.ExperimentActorParams,
    responses: { 204: { description: "Removed", schema: null } },
    errors: ["not_found", "archived"],
  },
  getAssignment: {
    method: "GET",
    path: `${EXPERIMENT}/assignments/:actor`,
    summary: "The override while one exists, else the sticky assignment",
    access: "read",
    params: s.ExperimentActorParams,
    responses: { 200: { description: "The assignment", schema: s.AssignmentSchema } },
    errors: ["not_found"],
  },
  whoami: {
    method: "GET",
    path: "/v1/admin/token",
    summary: "The name and scope of the token that makes the call (the dashboard hides actions from read tokens)",
    access: "read",
    responses: { 200: { description: "The token's identity", schema: s.TokenIdentity } },
    errors: [],
  },
  openapi: {
    method: "GET",
    path: "/openapi.json",
    summary: "This document",
    access: "public",
    asset: true,
    responses: { 200: { description: "The OpenAPI 3.1 document", schema: null } },
    errors: [],
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;
/** The routes the Worker itself answers: all but the static assets. */
export type WorkerRouteId = { [K in RouteId]: (typeof ROUTES)[K] extends { asset: true } ? never : K }[RouteId];
