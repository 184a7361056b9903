/**
 * The experiments engine: pure TypeScript with no runtime imports, so it runs in Node
 * and in workerd alike. Behaviour follows the reference module
 * `shared/seed/experiments.rs`; data types keep its serde (snake_case) field names.
 */
export { AUTO_STOP_ACTOR, ExperimentAdmin, SCHEDULE_ACTOR } from "./admin";
export { type AssignCall, type Assignments, assignExperiments, deliverEvents } from "./assigner";
export {
  type ActorRecords,
  type Assigned,
  type AssignOutcome,
  type AssignRequest,
  type AssignResult,
  lookupAssignment,
  outcomeResult,
  type PreparedExperiment,
  planAssignment,
  prepareExperiment,
  resolveAtStore,
} from "./assignment";
export {
  type ActorMetricState,
  type Attribution,
  attributeEvents,
  listenersByEvent,
  type MetricDelta,
  type MetricKey,
  type MetricListener,
  type MetricSource,
  type MetricSumRow,
  TRACKING_LIMITS,
  type TrackedEvent,
  type UnattributedCount,
  type UnattributedRow,
} from "./attribution";
export { ERASURE_MEMORY_SECS, erasureKey } from "./erasure";
export { type ErrorCode, ExperimentError, type Failure, type FieldError, type Result } from "./errors";
export {
  BUCKETS,
  bucketV2,
  coverageBucket,
  experimentBucket,
  experimentBucketV2,
  holdoutBucket,
  layerBucket,
} from "./hash";
export {
  checkHoldoutDeletable,
  defineHoldout,
  HOLDOUT_ARMS,
  HOLDOUT_KEY_PREFIX,
  type HoldoutArm,
  type HoldoutChange,
  type HoldoutConfig,
  type HoldoutDefinition,
  holdoutAsExperiment,
  holdoutKey,
  holdoutMembers,
  isHeldOut,
  MAX_HOLDOUT_COVERAGE,
} from "./holdouts";
export { type LayerOverview, layersOverview, rangesOverlap } from "./layers";
export {
  archiveExperiment,
  autoStopExperiment,
  type Change,
  concludeExperiment,
  defineExperiment,
  type ExperimentDefinition,
  experimentConfig,
  FULL_COVERAGE,
  type GuardrailBreach,
  hasRun,
  setExperimentCoverage,
  setExperimentWeights,
  startExperiment,
  upsertConfig,
} from "./lifecycle";
export { InMemoryExperimentStore } from "./memory-store";
export {
  METRIC_DIRECTIONS,
  METRIC_KINDS,
  METRIC_ROLES,
  type MetricDefinition,
  metricConfig,
} from "./metrics";
export { AUTO_STOP_ALPHA, experimentOutcomes, guardrailBreach, type Outcomes } from "./outcomes";
export {
  type CountRow,
  type ExperimentResults,
  experimentResults,
  type RevisionWeights,
  sumCountRows,
  utcDay,
} from "./results";
export {
  dueSchedulePart,
  nextScheduledAt,
  type ScheduleDefinition,
  scheduleConfig,
  withoutSchedulePart,
} from "./schedule";
export { selectVariant } from "./select";
export { ExperimentService, type ExperimentServiceOptions } from "./service";
export { ConsoleExposureSink, exposureLine } from "./sinks";
export {
  chiSquareUpperTail,
  expectedEnrolments,
  type RevisionCounts,
  SRM_THRESHOLD,
  type SrmResult,
  srmCheck,
} from "./srm";
export * from "./stats";
export type {
  AssignmentEvents,
  AssignmentStore,
  ExperimentRepository,
  ExperimentStore,
  ExposureSink,
  HoldoutRepository,
  OverrideEntry,
} from "./store";
export {
  ATTRIBUTE_NAME,
  ATTRIBUTE_NAME_RULE,
  type Attributes,
  type AttributeValue,
  compileTargeting,
  RESERVED_ATTRIBUTE_NAMES,
  TARGETING_LIMITS,
  TARGETING_OPERATORS,
  type TargetingCondition,
  type TargetingOperator,
  type TargetingPredicate,
  validateTargeting,
} from "./targeting";
export { codePoints, controlProblem, identifierProblem, isValidLabel, NO_CONTROL_PATTERN, utf8Length } from "./text";
export {
  type Assignment,
  type ChangeRecord,
  type EnrolmentRecord,
  type ExperimentConfig,
  type ExperimentState,
  type ExposureRecord,
  type HashVersion,
  type HoldoutChangeRecord,
  type LayerConfig,
  type MetricConfig,
  type MetricDirection,
  type MetricKind,
  type MetricRole,
  nowSecs,
  type ScheduleConfig,
  type VariantConfig,
} from "./types";
export {
  HASH_VERSIONS_TEXT,
  hasVariant,
  isHashVersion,
  isValidActor,
  isValidName,
  LIMITS,
  NAME_PATTERN,
  requireVariant,
  validateConfig,
  validateCoverage,
  validateLayer,
  validateMetrics,
  validateVariants,
} from "./validation";
export {
  eventTypesOf,
  MAX_WEBHOOK_URL_CHARS,
  newWebhookSecret,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_RETRY_DELAYS_SECS,
  type WebhookConfig,
  type WebhookDefinition,
  type WebhookEventType,
  webhookConfig,
  webhookRetryDelay,
  webhookSignature,
} from "./webhooks";
