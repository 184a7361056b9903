import { ExperimentError } from "./errors";
import { METRIC_DIRECTIONS, METRIC_KINDS, METRIC_ROLES } from "./metrics";
import { validateTargeting } from "./targeting";
import { CONTROL, codePoints, controlProblem, identifierProblem, utf8Length } from "./text";
import type { ExperimentConfig, HashVersion, LayerConfig, MetricConfig, VariantConfig } from "./types";

/**
 * The limits (README, "Limits"), in one place for the engine and the HTTP layer. `…Chars` are
 * Unicode code points ("😀" is one); actors are counted in UTF-8 bytes, the unit
 * that is hashed.
 */
export const LIMITS = {
  maxVariants: 100,
  maxVariantNameChars: 64,
  maxWeight: 4_294_967_295,
  maxDescriptionChars: 1024,
  maxActorBytes: 256,
  maxBatchExperiments: 100,
  /**
   * Overrides per experiment: the config snapshot carries them to every edge (so that
   * a cached sticky answer never hides one), which bounds how many there may be.
   */
  maxOverrides: 1000,
  /** Coverage is in basis points: 10 000 is everyone. */
  maxCoverage: 10_000,
  maxMetrics: 10,
} as const;

/**
 * Experiment and exclusion-group names. No `:`, which would make the hashed key
 * `"<experiment>:<actor>"` ambiguous (`a:b` + `c` vs `a` + `b:c`). Stricter than the
 * identifier rule (`identifierProblem`): printable ASCII only, so never a control character.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** Actor ids: 1 to 256 UTF-8 bytes, no control characters, well-formed Unicode. */
export function isValidActor(actor: string): boolean {
  if (actor.length === 0 || actor.length > LIMITS.maxActorBytes) return false;
  if (CONTROL.test(actor) || !actor.isWellFormed()) return false;
  return utf8Length(actor) <= LIMITS.maxActorBytes;
}

/**
 * Checks a variant list: the reference's rules (no empty or duplicate names) plus the
 * API limits (1 to 100 variants, names that are identifiers of at most 64 characters,
 * integer weights in `[0, 2^32 - 1]`).
 *
 * @throws {ExperimentError} `invalid_config`, worded like the reference where it has
 *   words; a bad name also names its field (`/variants/<i>/name`) in `errors`.
 */
export function validateVariants(variants: readonly VariantConfig[]): void {
  if (variants.length === 0) throw ExperimentError.invalidConfig("an experiment needs at least one variant");
  if (variants.length > LIMITS.maxVariants) {
    throw ExperimentError.invalidConfig(`too many variants: ${variants.length} (at most ${LIMITS.maxVariants})`);
  }
  const seen = new Set<string>();
  for (const [i, { name, weight }] of variants.entries()) {
    const problem = identifierProblem(name, LIMITS.maxVariantNameChars);
    if (problem !== null)
      throw invalidField(`variant name ${problem} (variants[${i}].name)`, `/variants/${i}/name`, problem);
    if (seen.has(name)) throw ExperimentError.invalidConfig(`duplicate variant name: '${name}'`);
    seen.add(name);
    if (!Number.isInteger(weight) || weight < 0 || weight > LIMITS.maxWeight) {
      throw ExperimentError.invalidConfig(`weight of variant '${name}' must be an integer in [0, ${LIMITS.maxWeight}]`);
    }
  }
}

/** Checks a whole config as `create` receives it. @throws {ExperimentError} `invalid_config`. */
export function validateConfig(config: ExperimentConfig): void {
  if (!isValidName(config.name)) throw ExperimentError.invalidConfig(`invalid experiment name '${config.name}'`);
  const group = config.exclusion_group;
  if (group !== null && !isValidName(group)) {
    // Control characters named as such: the pattern's words would not say what is wrong.
    const problem = controlProblem(group) ?? `must match ${NAME_PATTERN.source}`;
    throw invalidField(`exclusion group name ${problem}`, "/exclusion_group", problem);
  }
  if (config.description !== null) validateDescription(config.description);
  validateVariants(config.variants);
  validateTargeting(config.targeting);
  validateCoverage(config.coverage);
  validateMetrics(config.metrics);
  if (config.layer !== null) validateLayer(config.layer);
  if (!isHashVersion(config.hash_version)) {
    throw ExperimentError.invalidConfig(`hash_version must be ${HASH_VERSIONS_TEXT}`);
  }
  if (config.state === "concluded") {
    const winner = config.winner?.trim() ? config.winner : null;
    if (winner === null) throw ExperimentError.invalidConfig("concluded experiment requires a non-empty winner");
    requireVariant(config, winner, "winner");
  }
}

/**
 * Checks an experiment's metrics, defaults filled in: at most 10; names and events
 * follow the experiment-name rules (an event name travels in the same places); names
 * unique; kind, direction and role from their closed sets.
 *
 * @throws {ExperimentError} `invalid_config` naming the field (`/metrics/<i>/<field>`) in `errors`.
 */
export function validateMetrics(metrics: readonly MetricConfig[]): void {
  if (metrics.length > LIMITS.maxMetrics) {
    const problem = `must hold at most ${LIMITS.maxMetrics} metrics, found ${metrics.length}`;
    throw invalidField(`too many metrics: ${metrics.length} (at most ${LIMITS.maxMetrics})`, "/metrics", problem);
  }
  const seen = new Set<string>();
  for (const [i, metric] of metrics.entries()) {
    for (const field of ["name", "event"] as const) {
      const value = metric[field];
      if (!isValidName(value)) {
        // The words never quote the value, which may hold the very characters refused.
        const problem = controlProblem(value) ?? `must match ${NAME_PATTERN.source}`;
        throw invalidField(`metric ${field} ${problem} (metrics[${i}].${field})`, `/metrics/${i}/${field}`, problem);
      }
    }
    if (seen.has(metric.name)) {
      const problem = "must be unique within the experiment";
      throw invalidField(`duplicate metric name: '${metric.name}'`, `/metrics/${i}/name`, problem);
    }
    seen.add(metric.name);
    const closed = [
      ["kind", METRIC_KINDS],
      ["direction", METRIC_DIRECTIONS],
      ["role", METRIC_ROLES],
    ] as const;
    for (const [field, allowed] of closed) {
      if (!(allowed as readonly string[]).includes(metric[field])) {
        const problem = `must be one of ${allowed.join(", ")}`;
        throw invalidField(`metric ${field} ${problem} (metrics[${i}].${field})`, `/metrics/${i}/${field}`, problem);
      }
    }
  }
}

/** `invalid_config` naming one field: `pointer` is where a definition's body holds it. */
export function invalidField(detail: string, pointer: string, fieldDetail: string): ExperimentError {
  return ExperimentError.invalidConfig(detail, [{ pointer, detail: fieldDetail }]);
}

/** `hash_version`'s values, each with what it is: the rule and its messages (the CLI's too). */
const HASH_VERSIONS = {
  1: "the reference's FNV-1a 64",
  2: "bucket_v2: finalized, uniform on sequential ids",
} as const satisfies Record<HashVersion, string>;

/** `1 (the reference's FNV-1a 64) or 2 (…)`, as messages name the versions. */
export const HASH_VERSIONS_TEXT = Object.entries(HASH_VERSIONS)
  .map(([version, what]) => `${version} (${what})`)
  .join(" or ");

export function isHashVersion(value: number): value is HashVersion {
  return Object.hasOwn(HASH_VERSIONS, value);
}

/** @throws {ExperimentError} `invalid_config` unless `coverage` is whole basis points in `[0, 10000]`. */
/**
 * Checks an experiment's layer: a name by the exclusion-group rules, and a range of
 * whole basis points with `0 ≤ start < end ≤ 10000`.
 *
 * @throws {ExperimentError} `invalid_config` naming the field (`/layer/name`, `/layer/range`) in `errors`.
 */
export function validateLayer(layer: LayerConfig): void {
  if (!isValidName(layer.name)) {
    const problem = controlProblem(layer.name) ?? `must match ${NAME_PATTERN.source}`;
    throw invalidField(`layer name ${problem}`, "/layer/name", problem);
  }
  const [start, end] = layer.range;
  const whole = (n: number) => Number.isInteger(n) && n >= 0 && n <= LIMITS.maxCoverage;
  if (!(whole(start) && whole(end) && start < end)) {
    const problem = `must be [start, end] with whole basis points 0 ≤ start < end ≤ ${LIMITS.maxCoverage}`;
    throw invalidField(`layer range ${problem}, found [${start}, ${end}]`, "/layer/range", problem);
  }
}

/** A description: free text (newlines kept), well-formed Unicode, at most 1,024 characters. */
export function validateDescription(description: string): void {
  if (!description.isWellFormed()) throw ExperimentError.invalidConfig("description is not well-formed Unicode");
  if (codePoints(description) > LIMITS.maxDescriptionChars) {
    throw ExperimentError.invalidConfig(`description is longer than ${LIMITS.maxDescriptionChars} characters`);
  }
}

export function validateCoverage(coverage: number): void {
  if (!Number.isInteger(coverage) || coverage < 0 || coverage > LIMITS.maxCoverage) {
    throw ExperimentError.invalidConfig(`coverage must be an integer in [0, ${LIMITS.maxCoverage}] basis points`);
  }
}

/**
 * @param field what the caller called `variant` (`winner`, `variant`), named when it is not well-formed
 * @throws {ExperimentError} `invalid_config` unless `variant` is configured in `config`.
 */
export function requireVariant(config: ExperimentConfig, variant: string, field = "variant"): void {
  if (!variant.isWellFormed()) throw ExperimentError.invalidConfig(`${field} is not well-formed Unicode`);
  if (!hasVariant(config, variant)) {
    throw ExperimentError.invalidConfig(`'${variant}' is not a configured variant of experiment '${config.name}'`);
  }
}

export function hasVariant(config: Pick<ExperimentConfig, "variants">, variant: string): boolean {
  return config.variants.some((v) => v.name === variant);
}
