import * as v from "valibot";
import type {
  ChangeRecord,
  ExperimentConfig,
  HoldoutChangeRecord,
  HoldoutConfig,
  OverrideEntry,
  RevisionWeights,
  VariantConfig,
  WebhookConfig,
} from "../../../core";
import { WEBHOOK_EVENT_TYPES } from "../../../core";
import {
  configFromStoredV1,
  StoredConfigV1Schema,
  StoredHoldoutV1Schema,
  StoredVariantV1Schema,
  storedConfigV1,
  storedHoldoutV1,
  storedVariantsV1,
} from "../../config/stored-config";

/**
 * The registry's rows as its SQLite tables hold them after migration 5 (`SELECT *`),
 * written apart from the API's schemas: what old rows decode to does not follow the
 * wire. A migration that changes what a row holds comes with a new version of these
 * schemas (and a fixture of the rows it writes); `REGISTRY_ROWS_VERSION` names the
 * migration these describe.
 *
 * Types only, as in `StoredConfigV1`: the registry validated every value it wrote.
 */
export const REGISTRY_ROWS_VERSION = 5;

/** A TEXT column holding JSON of `schema`. */
function jsonText<T extends v.GenericSchema>(schema: T) {
  return v.pipe(v.string(), v.parseJson(), schema);
}

export const ExperimentRowSchema = v.object({
  name: v.string(),
  config: jsonText(StoredConfigV1Schema),
  /** The variants that have, or may have, sticky assignments (see `stickyVariantsAfter`). */
  sticky_variants: jsonText(v.array(v.string())),
});

export const HistoryRowSchema = v.object({
  seq: v.number(),
  experiment: v.string(),
  mutation: v.string(),
  actor: v.nullable(v.string()),
  timestamp_secs: v.number(),
});

export const OverrideRowSchema = v.object({ experiment: v.string(), actor: v.string(), variant: v.string() });

/** Rows of migration 2, or copied by it from configs written before revisions (revision 1 then). */
export const RevisionRowSchema = v.object({
  experiment: v.string(),
  revision: v.number(),
  variants: jsonText(v.array(StoredVariantV1Schema)),
});

/** Rows of migration 3. */
export const HoldoutRowSchema = v.object({ name: v.string(), holdout: jsonText(StoredHoldoutV1Schema) });

export const HoldoutHistoryRowSchema = v.object({
  seq: v.number(),
  holdout: v.string(),
  mutation: v.string(),
  actor: v.nullable(v.string()),
  timestamp_secs: v.number(),
});

/** Rows of migration 4: a subscription (its secret apart from what reads show) and a delivery waiting for the queue. */
export const WebhookRowSchema = v.object({
  name: v.string(),
  webhook: jsonText(
    v.object({
      name: v.string(),
      url: v.string(),
      events: v.array(v.picklist(WEBHOOK_EVENT_TYPES)),
      created_at_secs: v.number(),
      updated_at_secs: v.number(),
    }),
  ),
  secret: v.string(),
});

export const WebhookOutboxRowSchema = v.object({
  seq: v.number(),
  id: v.string(),
  webhook: v.string(),
  type: v.picklist(WEBHOOK_EVENT_TYPES),
  timestamp_secs: v.number(),
  data: jsonText(v.unknown()),
});

/** Rows of migration 5: an erased actor by its erasure key (never its id). */
export const ErasureRowSchema = v.object({ key: v.string(), erased_at_secs: v.number() });

export const PublishStateRowSchema = v.object({
  id: v.literal(1),
  version: v.number(),
  published_version: v.number(),
  published_at_ms: v.number(),
});

/** What the registry's code works with, decoded from a row of each table. */
export interface ExperimentRecord {
  config: ExperimentConfig;
  stickyVariants: string[];
}

/** One delivery on its way: what the queue's message carries, no secret in it. */
export interface WebhookDelivery {
  /** `webhook-id`: the same on every attempt. */
  id: string;
  webhook: string;
  type: WebhookConfig["events"][number];
  timestamp_secs: number;
  data: unknown;
}

export interface PublishState {
  version: number;
  published_version: number;
  published_at_ms: number;
}

// Stored → domain, a function per table. Each takes a row as `SqlStorage.exec` returns
// it, and throws (a `ValiError`) on one that is not what the registry writes.

export function experimentFromRow(row: unknown): ExperimentRecord {
  const { config, sticky_variants } = v.parse(ExperimentRowSchema, row);
  return { config: configFromStoredV1(config), stickyVariants: sticky_variants };
}

export function changeFromRow(row: unknown): ChangeRecord {
  const { experiment, mutation, actor, timestamp_secs } = v.parse(HistoryRowSchema, row);
  return { experiment, mutation, actor, timestamp_secs };
}

export function overrideFromRow(row: unknown): { experiment: string } & OverrideEntry {
  const { experiment, actor, variant } = v.parse(OverrideRowSchema, row);
  return { experiment, actor, variant };
}

export function revisionFromRow(row: unknown): RevisionWeights {
  const { revision, variants } = v.parse(RevisionRowSchema, row);
  return { revision, variants };
}

export function holdoutFromRow(row: unknown): HoldoutConfig {
  return v.parse(HoldoutRowSchema, row).holdout;
}

export function holdoutChangeFromRow(row: unknown): HoldoutChangeRecord {
  const { holdout, mutation, actor, timestamp_secs } = v.parse(HoldoutHistoryRowSchema, row);
  return { holdout, mutation, actor, timestamp_secs };
}

export function webhookFromRow(row: unknown): { webhook: WebhookConfig; secret: string } {
  const { webhook, secret } = v.parse(WebhookRowSchema, row);
  return { webhook, secret };
}

export function webhookDeliveryFromRow(row: unknown): WebhookDelivery {
  const { id, webhook, type, timestamp_secs, data } = v.parse(WebhookOutboxRowSchema, row);
  return { id, webhook, type, timestamp_secs, data };
}

export function webhookColumn(webhook: WebhookConfig): string {
  const { name, url, events, created_at_secs, updated_at_secs } = webhook;
  return JSON.stringify({ name, url, events, created_at_secs, updated_at_secs });
}

export function erasureFromRow(row: unknown): [string, number] {
  const { key, erased_at_secs } = v.parse(ErasureRowSchema, row);
  return [key, erased_at_secs];
}

export function publishStateFromRow(row: unknown): PublishState {
  const { version, published_version, published_at_ms } = v.parse(PublishStateRowSchema, row);
  return { version, published_version, published_at_ms };
}

// Domain → stored: the JSON columns' text as this version writes it.

export function configColumn(config: ExperimentConfig): string {
  return JSON.stringify(storedConfigV1(config));
}

export function holdoutColumn(holdout: HoldoutConfig): string {
  return JSON.stringify(storedHoldoutV1(holdout));
}

export function variantsColumn(variants: readonly VariantConfig[]): string {
  return JSON.stringify(storedVariantsV1(variants));
}

export function stickyVariantsColumn(variants: readonly string[]): string {
  return JSON.stringify(variants);
}
