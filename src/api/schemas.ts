import * as v from "valibot";
import {
  ANALYSIS_METHODS,
  type Assignment,
  ATTRIBUTE_NAME,
  ATTRIBUTE_NAME_RULE,
  type ChangeRecord,
  codePoints,
  DEFAULT_ALPHA,
  DEFAULT_ANALYSIS_METHOD,
  type ExperimentConfig,
  type ExperimentResults,
  FULL_COVERAGE,
  type HoldoutConfig,
  isValidActor,
  isValidAlpha,
  type LayerOverview,
  LIMITS,
  MAX_HOLDOUT_COVERAGE,
  MAX_WEBHOOK_URL_CHARS,
  METRIC_DIRECTIONS,
  METRIC_KINDS,
  METRIC_ROLES,
  NAME_PATTERN,
  NO_CONTROL_PATTERN,
  type Outcomes,
  type OverrideEntry,
  RESERVED_ATTRIBUTE_NAMES,
  TARGETING_LIMITS,
  TARGETING_OPERATORS,
  TRACKING_LIMITS,
  WEBHOOK_EVENT_TYPES,
  type WebhookConfig,
} from "../core";
import { ERROR_CODES } from "./problems";

/**
 * Every shape of the HTTP API, once. Each schema gives the runtime validation (valibot,
 * a few KiB in the Worker), the TypeScript type (`v.InferOutput`) and, at build time,
 * the OpenAPI document (`scripts/openapi.mjs`).
 *
 * Who checks what: these schemas check a request's shape (types, required and unknown
 * fields, names, actors, the batch limit), which is `400 invalid_request`. The config
 * rules (variant count, names, weights, description length) stay the engine's
 * (`src/core/validation.ts`, `422 invalid_config`); here they are only documented, with
 * `metadata`, from the same `LIMITS`.
 */

const config422 = "(checked by the engine: otherwise 422 invalid_config)";

// ── Building blocks ─────────────────────────────────────────────────────────────

export const ExperimentName = v.pipe(
  v.string("must be a string"),
  v.regex(NAME_PATTERN, `must match ${NAME_PATTERN.source}`),
  v.metadata({
    description: "An experiment or exclusion-group name: no ':', which would make the hashed key ambiguous",
  }),
);

/**
 * A name that travels as an identifier (a variant's; metrics', layers', … as they come):
 * the engine checks it (`identifierProblem`: `422 invalid_config` with the field's
 * pointer in `errors`); here it is documented from the same rule.
 */
function identifier(maxChars: number, description: string) {
  return v.pipe(
    v.string("must be a string"),
    v.metadata({
      minLength: 1,
      maxLength: maxChars,
      pattern: NO_CONTROL_PATTERN.source,
      description: `${description}; no control characters (C0, DEL, C1) nor surrounding white space ${config422}`,
    }),
  );
}

export const Actor = v.pipe(
  v.string("must be a string"),
  v.check(
    isValidActor,
    `must be an actor id of 1 to ${LIMITS.maxActorBytes} UTF-8 bytes without control characters, well-formed Unicode`,
  ),
  v.metadata({
    description: `An actor id: 1 to ${LIMITS.maxActorBytes} UTF-8 bytes, no control characters, well-formed Unicode`,
    minLength: 1,
    maxLength: LIMITS.maxActorBytes,
  }),
);

const ExperimentState = v.picklist(["draft", "running", "concluded", "archived"]);

const VariantInput = v.strictObject(
  {
    name: identifier(LIMITS.maxVariantNameChars, "Unique"),
    weight: v.pipe(
      v.number("must be a number"),
      v.metadata({
        type: "integer",
        minimum: 0,
        maximum: LIMITS.maxWeight,
        description: `Relative weight ${config422}`,
      }),
    ),
  },
  "must be an object {name, weight} with no other fields",
);

const Variants = v.pipe(
  v.array(VariantInput, "must be an array of {name, weight}"),
  v.metadata({ minItems: 1, maxItems: LIMITS.maxVariants }),
);

const Description = v.pipe(
  v.nullable(v.string("must be a string or null")),
  v.metadata({ maxLength: LIMITS.maxDescriptionChars }),
);

const GroupName = v.nullable(
  v.pipe(v.string("must be a string or null"), v.metadata({ pattern: NAME_PATTERN.source })),
);

const Coverage = v.pipe(
  v.number("must be a number"),
  v.metadata({
    type: "integer",
    minimum: 0,
    maximum: LIMITS.maxCoverage,
    description: `Basis points of the eligible traffic that may enter: ${LIMITS.maxCoverage} is everyone ${config422}`,
  }),
);

/** One targeting condition; its operator, limits and number/semver values are the engine's to check. */
const Condition = v.strictObject(
  {
    attribute: v.pipe(v.string("must be a string"), v.metadata({ pattern: ATTRIBUTE_NAME.source })),
    operator: v.pipe(v.string("must be a string"), v.metadata({ enum: [...TARGETING_OPERATORS] })),
    values: v.pipe(
      v.array(v.string("must be a string"), "must be an array of strings"),
      v.metadata({ maxItems: TARGETING_LIMITS.maxValues }),
    ),
    case_insensitive: v.optional(v.boolean("must be a boolean"), false),
  },
  "must be an object {attribute, operator, values, case_insensitive?} with no other fields",
);

const Targeting = v.pipe(
  v.array(Condition, "must be an array of conditions"),
  v.metadata({
    maxItems: TARGETING_LIMITS.maxConditions,
    description: `Every condition must hold for an actor to enter ${config422}`,
  }),
);

/** A caller attribute's value: text of at most 256 characters, a finite number or a boolean. */
const AttributeValue = v.union(
  [
    v.pipe(
      v.string(),
      v.check(
        (text) => text.isWellFormed() && codePoints(text) <= TARGETING_LIMITS.maxAttributeValueChars,
        `must be well-formed text of at most ${TARGETING_LIMITS.maxAttributeValueChars} characters`,
      ),
      v.metadata({ maxLength: TARGETING_LIMITS.maxAttributeValueChars }),
    ),
    // Finite: JSON.parse reads 1e400 as Infinity, which no condition's value can be.
    v.pipe(v.number(), v.finite()),
    v.boolean(),
  ],
  `must be a string of at most ${TARGETING_LIMITS.maxAttributeValueChars} characters, a finite number or a boolean`,
);

/** What targeting conditions read: at most 50 named values. */
export const Attributes = v.pipe(
  // First, because valibot's record would take an array for an object.
  v.custom<Record<string, unknown>>(
    (input) => typeof input === "object" && input !== null && !Array.isArray(input),
    "must be an object of attributes",
  ),
  // Also first: valibot's record skips these names without a word.
  v.check(
    (input) => reservedNameIn(input) === undefined,
    (issue) => `'${reservedNameIn(issue.input)}' is a reserved attribute name: names must be ${ATTRIBUTE_NAME_RULE}`,
  ),
  v.record(
    v.pipe(v.string(), v.regex(ATTRIBUTE_NAME, `attribute names must be ${ATTRIBUTE_NAME_RULE}`)),
    AttributeValue,
  ),
  v.maxEntries(TARGETING_LIMITS.maxAttributes, `at most ${TARGETING_LIMITS.maxAttributes} attributes`),
);

function reservedNameIn(attributes: object): string | undefined {
  return RESERVED_ATTRIBUTE_NAMES.find((name) => Object.hasOwn(attributes, name));
}

/**
 * A metric as a definition gives it. Names, events, kinds, directions and roles are the
 * engine's to check (`validateMetrics`: 422 with the field's pointer), documented here.
 */
const MetricInput = v.strictObject(
  {
    name: v.pipe(
      v.string("must be a string"),
      v.metadata({
        pattern: NAME_PATTERN.source,
        description: `Unique within the experiment; the experiment-name rules ${config422}`,
      }),
    ),
    event: v.optional(
      v.pipe(
        v.string("must be a string"),
        v.metadata({
          pattern: NAME_PATTERN.source,
          description: `The event it listens to; default: the metric's name ${config422}`,
        }),
      ),
    ),
    kind: v.pipe(
      v.string("must be a string"),
      v.metadata({
        enum: [...METRIC_KINDS],
        description: `conversion: 1 if the actor sent the event at least once after enrolling, else 0; sum: the sum of the event's values after enrolling (each defaulting to 1, so a count is a sum; values may be negative) ${config422}`,
      }),
    ),
    direction: v.optional(
      v.pipe(
        v.string("must be a string"),
        v.metadata({ enum: [...METRIC_DIRECTIONS], description: `Default: increase ${config422}` }),
      ),
    ),
    role: v.optional(
      v.pipe(
        v.string("must be a string"),
        v.metadata({ enum: [...METRIC_ROLES], description: `Default: goal ${config422}` }),
      ),
    ),
  },
  "must be an object {name, event?, kind, direction?, role?} with no other fields",
);

const Metrics = v.pipe(
  v.array(MetricInput, "must be an array of metrics"),
  v.metadata({
    maxItems: LIMITS.maxMetrics,
    description: `What the experiment is judged by; may change while it runs (a metric added then counts from then on) ${config422}`,
  }),
);

/** An experiment's slice of a layer; the name and range rules are the engine's (`validateLayer`), documented here. */
const LayerInput = v.strictObject(
  {
    name: v.pipe(
      v.string("must be a string"),
      v.metadata({
        pattern: NAME_PATTERN.source,
        description: `The layer; the exclusion-group name rules ${config422}`,
      }),
    ),
    range: v.pipe(
      v.strictTuple([v.number("must be a number"), v.number("must be a number")], "must be [start, end]"),
      v.metadata({
        description: `[start, end): whole basis points, 0 ≤ start < end ≤ 10000; an actor enters only if its layer bucket falls in it ${config422}`,
      }),
    ),
  },
  "must be an object {name, range} with no other fields",
);

// ── Requests ────────────────────────────────────────────────────────────────────

export const DefineBody = v.strictObject({
  variants: Variants,
  description: v.optional(Description),
  exclusion_group: v.optional(GroupName),
  targeting: v.optional(Targeting),
  coverage: v.optional(Coverage),
  hash_version: v.optional(
    v.pipe(
      v.number("must be a number"),
      v.metadata({
        enum: [1, 2],
        description: `1: the reference's FNV-1a 64 (default); 2: finalized with fmix64, uniform on sequential ids ${config422}`,
      }),
    ),
  ),
  metrics: v.optional(Metrics),
  auto_stop: v.optional(
    v.pipe(
      v.boolean("must be true or false"),
      v.metadata({
        description:
          "Conclude on the first variant by itself once a guardrail metric's sequential decision (alpha 0.05) is worse for any variant; default false",
        default: false,
      }),
    ),
  ),
  schedule: v.optional(
    v.pipe(
      v.strictObject(
        {
          start_at_secs: v.optional(v.nullable(v.number("must be a number or null"))),
          conclude_at_secs: v.optional(v.nullable(v.number("must be a number or null"))),
          winner: v.optional(v.nullable(v.string("must be a string or null"))),
        },
        "must be an object {start_at_secs?, conclude_at_secs?, winner?} with no other fields",
      ),
      v.metadata({
        description: `Start and/or conclude at these UNIX seconds (in the future; the conclusion after the start), the registry's alarm firing within 2 s; \`winner\` names a variant and goes with \`conclude_at_secs\`. A manual start cancels the scheduled start; a manual conclusion or archive cancels everything ${config422}`,
      }),
    ),
  ),
  holdout: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.metadata({
        description:
          "The holdout it joins (PUT /v1/admin/holdouts/{name} first, else 422 with the pointer /holdout): actors the holdout keeps back get the first variant, are not enrolled and see no exposure; fixed once it has run (409 holdout_locked)",
      }),
    ),
  ),
  layer: v.optional(
    v.pipe(
      LayerInput,
      v.metadata({
        description:
          "Experiments of one layer on disjoint ranges never share an actor; fixed once it has run (409 layer_locked); starting it while a running experiment holds an overlapping range of the layer is 409 layer_overlap",
      }),
    ),
  ),
});

export const CoverageBody = v.strictObject({ coverage: Coverage });

export const HoldoutBody = v.strictObject({
  coverage: v.pipe(
    v.number("must be a number"),
    v.metadata({
      description: `Basis points held out of every member experiment, 1 to ${MAX_HOLDOUT_COVERAGE}; fixed once any member has run (409 holdout_locked) ${config422}`,
    }),
  ),
  description: v.optional(Description),
  metrics: v.optional(Metrics),
});

export const HoldoutParams = v.object({ name: ExperimentName });

export const WebhookParams = v.object({ name: ExperimentName });

export const ActorParams = v.object({ actor: Actor });

export const WebhookBody = v.strictObject({
  url: v.pipe(
    v.string("must be a string"),
    v.metadata({
      maxLength: MAX_WEBHOOK_URL_CHARS,
      description: `https:// (http:// only with the var WEBHOOK_ALLOW_HTTP=1), no credentials, at most ${MAX_WEBHOOK_URL_CHARS} characters ${config422}`,
    }),
  ),
  events: v.optional(
    v.pipe(
      v.array(v.string("must be a string"), "must be an array of event types"),
      v.metadata({
        description: `The types it receives (default: all): ${WEBHOOK_EVENT_TYPES.join(", ")} ${config422}`,
      }),
    ),
  ),
});

export const ConcludeBody = v.strictObject({ winner: v.string("must be a string") });

export const WeightsBody = v.strictObject({ variants: Variants });

export const OverrideBody = v.strictObject({ variant: v.string("must be a string") });

export const BatchAssignBody = v.strictObject({
  actor: v.optional(Actor),
  attributes: v.optional(Attributes),
  experiments: v.optional(
    v.pipe(
      v.array(ExperimentName, "must be an array of experiment names"),
      v.maxLength(LIMITS.maxBatchExperiments, `must hold at most ${LIMITS.maxBatchExperiments} names`),
    ),
  ),
});

export const ExperimentParams = v.object({ name: ExperimentName });
export const ExperimentActorParams = v.object({ name: ExperimentName, actor: Actor });
export const AssignParams = v.object({ experiment: ExperimentName });

export const AssignQuery = v.object({ actor: v.optional(Actor) });

/** The most characters an `X-Admin-Actor` header (who used an admin token) may hold. */
export const MAX_ADMIN_ACTOR_CHARS = 128;

/**
 * A client's request id, carried into exposures: printable ASCII, 1 to 128 characters,
 * an id the Worker can echo and log safely. Over HTTP a bad `X-Request-Id` is replaced
 * by a fresh one; over RPC a bad `requestId` is refused.
 */
export const REQUEST_ID_PATTERN = /^[\x20-\x7e]{1,128}$/;
export const RequestId = v.pipe(
  v.string("must be a string or null"),
  v.regex(REQUEST_ID_PATTERN, "must be 1 to 128 printable ASCII characters"),
);

export const HistoryQuery = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,9}$/, "must be a whole number (0 means all)"),
      v.metadata({ description: "At most this many entries, newest first; 0 means all", default: "100" }),
    ),
  ),
});

export const ResultsQuery = v.object({
  method: v.optional(
    v.pipe(
      v.picklist(ANALYSIS_METHODS, `must be one of ${ANALYSIS_METHODS.join(", ")}`),
      v.metadata({
        description:
          "sequential: intervals valid however often they are looked at; fixed: Welch's t test, valid when looked at once, at a sample size fixed in advance",
        default: DEFAULT_ANALYSIS_METHOD,
      }),
    ),
    DEFAULT_ANALYSIS_METHOD,
  ),
  alpha: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^0?\.\d{1,15}$/, "must be a decimal number such as 0.05"),
      v.transform(Number),
      v.check(isValidAlpha, "must lie strictly between 0 and 0.5"),
      v.metadata({ description: "The intervals are (1 − alpha) two-sided; 0 < alpha < 0.5", default: "0.05" }),
    ),
    String(DEFAULT_ALPHA),
  ),
});

/** One tracked event (`POST /v1/track`). */
const TrackEvent = v.strictObject(
  {
    event: v.pipe(
      v.string("must be a string"),
      v.regex(NAME_PATTERN, `must match ${NAME_PATTERN.source}`),
      v.metadata({ description: "The event's name: what a metric's `event` listens to" }),
    ),
    value: v.optional(
      v.pipe(
        v.number("must be a number"),
        v.finite("must be a finite number"),
        v.check(
          (value) => Math.abs(value) <= TRACKING_LIMITS.maxAbsValue,
          `must lie between -${TRACKING_LIMITS.maxAbsValue} and ${TRACKING_LIMITS.maxAbsValue}`,
        ),
        v.metadata({
          description: "What a `sum` metric adds (default 1; negative for refunds); a `conversion` ignores it",
          default: 1,
        }),
      ),
    ),
    id: v.optional(
      v.pipe(
        v.string("must be a string"),
        v.minLength(1, "must not be empty"),
        v.maxLength(TRACKING_LIMITS.maxEventIdChars, `must be at most ${TRACKING_LIMITS.maxEventIdChars} characters`),
        v.regex(NO_CONTROL_PATTERN, "must not contain control characters"),
        v.metadata({ description: "De-duplicates: the same (actor, id) counts once, for at least 7 days" }),
      ),
    ),
    timestamp_secs: v.optional(
      v.pipe(
        v.number("must be a number"),
        v.integer("must be whole seconds since the epoch"),
        v.check((secs) => secs >= Date.now() / 1000 - TRACKING_LIMITS.maxAgeSecs, "must lie within the last 7 days"),
        v.check(
          (secs) => secs <= Date.now() / 1000 + TRACKING_LIMITS.maxAheadSecs,
          "must be at most 5 minutes in the future",
        ),
        v.metadata({ description: "When it happened, UNIX seconds (default: now); within the last 7 days" }),
      ),
    ),
  },
  "must be an object {event, value?, id?, timestamp_secs?} with no other fields",
);

export const TrackBody = v.strictObject({
  actor: v.optional(Actor),
  events: v.pipe(
    v.array(TrackEvent, "must be an array of events"),
    v.minLength(1, "must hold at least one event"),
    v.maxLength(TRACKING_LIMITS.maxEvents, `must hold at most ${TRACKING_LIMITS.maxEvents} events`),
  ),
});

// ── Responses ───────────────────────────────────────────────────────────────────

/** A metric as every read shows it, its defaults filled in. */
const MetricRead = v.object({
  name: v.string(),
  event: v.string(),
  kind: v.picklist(METRIC_KINDS),
  direction: v.picklist(METRIC_DIRECTIONS),
  role: v.picklist(METRIC_ROLES),
});

const Variant = v.object({ name: v.string(), weight: v.pipe(v.number(), v.integer()) });

/**
 * A config as every read shows it (the wire's shape; what is stored has its own
 * schemas, `src/edge/config/stored-config.ts`). Not strict, so that a client reading a
 * newer Worker's answers still parses them.
 */
export const ExperimentConfigSchema = v.object({
  name: v.string(),
  description: v.nullable(v.string()),
  state: ExperimentState,
  variants: v.array(Variant),
  winner: v.nullable(v.string()),
  exclusion_group: v.nullable(v.string()),
  targeting: v.optional(
    v.array(
      v.object({
        attribute: v.string(),
        operator: v.picklist(TARGETING_OPERATORS),
        values: v.array(v.string()),
        case_insensitive: v.optional(v.boolean(), false),
      }),
    ),
    [],
  ),
  coverage: v.optional(v.number(), FULL_COVERAGE),
  hash_version: v.optional(v.picklist([1, 2]), 1),
  metrics: v.optional(v.array(MetricRead), []),
  layer: v.optional(v.nullable(v.object({ name: v.string(), range: v.tuple([v.number(), v.number()]) })), null),
  holdout: v.optional(v.nullable(v.string()), null),
  auto_stop: v.optional(v.boolean(), false),
  schedule: v.optional(
    v.pipe(
      v.nullable(
        v.object({
          start_at_secs: v.nullable(v.number()),
          conclude_at_secs: v.nullable(v.number()),
          winner: v.nullable(v.string()),
        }),
      ),
      v.metadata({ description: "What the registry will do by itself, and when; each part cleared once it fires" }),
    ),
    null,
  ),
  revision: v.optional(v.number(), 1),
  updated_at_secs: v.number(),
  started_at_secs: v.optional(
    v.pipe(
      v.nullable(v.number()),
      v.metadata({ description: "When it first started; null for a draft that never ran" }),
    ),
    null,
  ),
}) satisfies v.GenericSchema<unknown, ExperimentConfig>;

export const ExperimentList = v.object({ experiments: v.array(ExperimentConfigSchema) });

export const HoldoutSchema = v.object({
  name: v.string(),
  description: v.nullable(v.string()),
  coverage: v.number(),
  metrics: v.array(MetricRead),
  created_at_secs: v.number(),
  updated_at_secs: v.number(),
}) satisfies v.GenericSchema<unknown, HoldoutConfig>;

export const WebhookSchema = v.object({
  name: v.string(),
  url: v.string(),
  events: v.array(v.picklist(WEBHOOK_EVENT_TYPES)),
  created_at_secs: v.number(),
  updated_at_secs: v.number(),
}) satisfies v.GenericSchema<unknown, WebhookConfig>;

/** A subscription with its signing secret: answered only when it is created, and on a rotation. */
export const WebhookWithSecret = v.object({
  ...WebhookSchema.entries,
  secret: v.pipe(
    v.string(),
    v.metadata({
      description:
        "whsec_ and the base64 of 24 random bytes; the HMAC-SHA256 key is its decoded bytes (Standard Webhooks). Shown only in this answer",
    }),
  ),
});

export const WebhookList = v.object({ webhooks: v.array(WebhookSchema) });

export const HoldoutList = v.object({
  holdouts: v.array(
    v.object({
      ...HoldoutSchema.entries,
      members: v.pipe(v.array(v.string()), v.metadata({ description: "The experiments that name it, by name" })),
    }),
  ),
});

export const HoldoutHistory = v.object({
  history: v.array(
    v.object({ holdout: v.string(), mutation: v.string(), actor: v.nullable(v.string()), timestamp_secs: v.number() }),
  ),
});

const Range = v.tuple([v.number(), v.number()]);

export const LayerList = v.object({
  layers: v.array(
    v.object({
      name: v.string(),
      experiments: v.array(v.object({ name: v.string(), state: ExperimentState, range: Range })),
      free: v.pipe(
        v.array(Range),
        v.metadata({ description: "The ranges [start, end) no running experiment of the layer holds, in order" }),
      ),
    }),
  ),
}) satisfies v.GenericSchema<unknown, { layers: LayerOverview[] }>;

const ChangeRecordSchema = v.object({
  experiment: v.string(),
  mutation: v.string(),
  actor: v.nullable(v.string()),
  timestamp_secs: v.number(),
}) satisfies v.GenericSchema<unknown, ChangeRecord>;

export const HistoryResponse = v.object({ history: v.array(ChangeRecordSchema) });

const OverrideEntrySchema = v.object({ actor: v.string(), variant: v.string() }) satisfies v.GenericSchema<
  unknown,
  OverrideEntry
>;

export const OverrideList = v.object({ overrides: v.array(OverrideEntrySchema) });

export const OverrideSet = v.object({ experiment: v.string(), actor: v.string(), variant: v.string() });

export const AssignmentSchema = v.object({
  experiment: v.string(),
  actor: v.string(),
  variant: v.string(),
  is_override: v.boolean(),
  assigned_at_secs: v.number(),
}) satisfies v.GenericSchema<unknown, Assignment>;

const HeldOut = v.optional(
  v.pipe(
    v.string(),
    v.metadata({
      description:
        "Present only when the experiment's holdout keeps the actor back: the variant is then the baseline, and the actor is not enrolled",
    }),
  ),
);

export const AssignResponse = v.object({
  experiment: v.string(),
  actor: v.string(),
  variant: v.string(),
  is_override: v.boolean(),
  holdout: HeldOut,
});

const ErrorCodeSchema = v.picklist(ERROR_CODES);

const BatchError = v.object({ error: v.object({ code: ErrorCodeSchema, detail: v.string() }) });

export const BatchAssignResponse = v.object({
  actor: v.string(),
  assignments: v.record(
    v.string(),
    v.union([v.object({ variant: v.string(), is_override: v.boolean(), holdout: HeldOut }), BatchError]),
  ),
});

const Counts = v.object({ enrolled: v.number(), exposures: v.number() });

const Interval = v.object({ estimate: v.number(), ci: v.tuple([v.number(), v.number()]) });

/** The results' outcome fields: how the comparisons were made, and each metric's (`experimentOutcomes`). */
const OutcomeEntries = {
  analysis: v.object({
    method: v.picklist(ANALYSIS_METHODS),
    alpha: v.number(),
    tuning: v.pipe(
      v.nullable(v.number()),
      v.metadata({
        description: "The sequential method's tuning (the sample size it is narrowest at); null for fixed",
      }),
    ),
    trustworthy: v.pipe(
      v.boolean(),
      v.metadata({ description: "false when the SRM check says mismatch: no comparison can then be trusted" }),
    ),
  }),
  metrics: v.array(
    v.object({
      name: v.string(),
      event: v.string(),
      kind: v.picklist(METRIC_KINDS),
      direction: v.picklist(METRIC_DIRECTIONS),
      role: v.picklist(METRIC_ROLES),
      unattributed: v.pipe(
        v.number(),
        v.metadata({
          description: "Its events that did not count: actor not enrolled, overridden, or event too early",
        }),
      ),
      variants: v.array(
        v.object({
          name: v.string(),
          n: v.pipe(v.number(), v.metadata({ description: "Enrolled actors (an actor with no event counts as 0)" })),
          sum: v.number(),
          sum_squares: v.number(),
          mean: v.nullable(v.number()),
          variance: v.nullable(v.number()),
        }),
      ),
      comparisons: v.array(
        v.object({
          variant: v.string(),
          baseline: v.string(),
          absolute: v.union([Interval, v.object({ estimate: v.null(), ci: v.null() })]),
          relative: v.nullable(Interval),
          p_value: v.pipe(v.nullable(v.number()), v.metadata({ description: "Welch's, fixed method only" })),
          decision: v.picklist(["better", "worse", "inconclusive", "insufficient_data"]),
        }),
      ),
    }),
  ),
};

export const ResultsResponse = v.object({
  experiment: v.string(),
  state: ExperimentState,
  hash_version: v.picklist([1, 2]),
  as_of_secs: v.number(),
  variants: v.array(
    v.object({
      name: v.string(),
      weight: v.number(),
      enrolled: v.number(),
      exposures: v.number(),
      observed_share: v.nullable(v.number()),
      expected_share: v.number(),
    }),
  ),
  srm: v.object({
    test: v.literal("chi_square"),
    statistic: v.nullable(v.number()),
    df: v.number(),
    p_value: v.nullable(v.number()),
    threshold: v.number(),
    status: v.picklist(["ok", "mismatch", "insufficient_data"]),
  }),
  daily: v.array(v.object({ day: v.string(), variants: v.record(v.string(), Counts) })),
  ...OutcomeEntries,
}) satisfies v.GenericSchema<unknown, ExperimentResults & Outcomes>;

/** A holdout's results: an experiment's, for its two arms (`held_out`, the baseline, and `exposed`). */
export const HoldoutResultsResponse = v.object({
  holdout: v.string(),
  coverage: v.number(),
  as_of_secs: ResultsResponse.entries.as_of_secs,
  variants: ResultsResponse.entries.variants,
  srm: ResultsResponse.entries.srm,
  daily: ResultsResponse.entries.daily,
  ...OutcomeEntries,
});

export const TrackResponse = v.object({
  accepted: v.pipe(v.number(), v.metadata({ description: "Events queued (all of the request's)" })),
});

export const TokenIdentity = v.object({ name: v.string(), scope: v.picklist(["read", "write"]) });

export const Problem = v.object({
  type: v.string(),
  title: v.string(),
  status: v.number(),
  code: ErrorCodeSchema,
  detail: v.string(),
  errors: v.optional(
    v.array(
      v.object({
        pointer: v.optional(v.pipe(v.string(), v.metadata({ description: "JSON Pointer into the body" }))),
        parameter: v.optional(v.pipe(v.string(), v.metadata({ description: "A path or query parameter" }))),
        detail: v.string(),
      }),
    ),
  ),
});

/** Named shapes, as the OpenAPI document's `components.schemas` lists them. */
export const NAMED_SCHEMAS = {
  ExperimentName,
  Actor,
  ExperimentConfig: ExperimentConfigSchema,
  ExperimentList,
  LayerList,
  History: HistoryResponse,
  OverrideList,
  OverrideSet,
  Assignment: AssignmentSchema,
  AssignResponse,
  BatchAssignResponse,
  Results: ResultsResponse,
  Holdout: HoldoutSchema,
  HoldoutList,
  HoldoutHistory,
  HoldoutBody,
  HoldoutResults: HoldoutResultsResponse,
  Webhook: WebhookSchema,
  WebhookWithSecret,
  WebhookList,
  WebhookBody,
  TrackBody,
  TrackResponse,
  TokenIdentity,
  DefineBody,
  CoverageBody,
  Attributes,
  ConcludeBody,
  WeightsBody,
  OverrideBody,
  BatchAssignBody,
  ErrorCode: ErrorCodeSchema,
  Problem,
} as const;
