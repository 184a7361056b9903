/**
 * The statistics engine: lift with confidence intervals per metric (fixed and sequential
 * methods) and the special functions under it. Pure, dependency-free TypeScript.
 */
export {
  ANALYSIS_METHODS,
  type AnalysisMethod,
  type AnalysisOptions,
  type AnalysisSettings,
  type ArmStatistics,
  analyseMetric,
  analysisSettings,
  type Comparison,
  type ComparisonOptions,
  compareArms,
  DEFAULT_ALPHA,
  DEFAULT_ANALYSIS_METHOD,
  type Decision,
  type Estimate,
  isValidAlpha,
  type MetricAnalysis,
  type MetricDescriptor,
  type MetricDirection,
  SEQUENTIAL_TUNING,
  sequentialHalfWidth,
  summariseArm,
  type VariantSummary,
} from "./lift";
export { logBeta, logGamma, regularizedIncompleteBeta } from "./special";
export { studentTCdf, studentTQuantile } from "./student-t";
