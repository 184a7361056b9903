/**
 * The experiments engine: pure TypeScript with no runtime imports, so it runs in Node
 * and in workerd alike. Behaviour follows the reference module
 * `shared/seed/experiments.rs`; data types keep its serde (snake_case) field names.
 */
export { ExperimentAdmin } from "./admin";
export { type AssignCall, type Assignments, assignExperiments, deliverExposures } from "./assigner";
export {
  type ActorRecords,
  type Assigned,
  type AssignOutcome,
  type AssignRequest,
  type AssignResult,
  lookupAssignment,
  outcomeResult,
  planAssignment,
  resolveAtStore,
} from "./assignment";
export {
  type ErrorCode,
  type ErrorData,
  ExperimentError,
  type FieldError,
  fromErrorData,
  type Result,
  toErrorData,
} from "./errors";
export { BUCKETS, experimentBucket } from "./hash";
export {
  archiveExperiment,
  type Change,
  concludeExperiment,
  defineExperiment,
  type ExperimentDefinition,
  experimentConfig,
  hasRun,
  setExperimentWeights,
  startExperiment,
  upsertConfig,
} from "./lifecycle";
export { InMemoryExperimentStore } from "./memory-store";
export { selectVariant } from "./select";
export { ExperimentService, type ExperimentServiceOptions } from "./service";
export { ConsoleExposureSink, exposureLine, NoOpExposureSink, RecordingExposureSink } from "./sinks";
export type { AssignmentStore, ExperimentRepository, ExperimentStore, ExposureSink, OverrideEntry } from "./store";
export {
  type Assignment,
  type ChangeRecord,
  type ExperimentConfig,
  type ExperimentState,
  type ExposureRecord,
  nowSecs,
  type VariantConfig,
} from "./types";
export {
  codePoints,
  hasVariant,
  isValidActor,
  isValidLabel,
  isValidName,
  LIMITS,
  NAME_PATTERN,
  requireVariant,
  validateConfig,
  validateVariants,
} from "./validation";
