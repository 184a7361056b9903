import { DurableObject } from "cloudflare:workers";
import type {
  ChangeRecord,
  ExperimentConfig,
  GuardrailBreach,
  HoldoutChangeRecord,
  HoldoutConfig,
  HoldoutDefinition,
  LayerOverview,
  OverrideEntry,
  Result,
  RevisionWeights,
  VariantConfig,
  WebhookConfig,
  WebhookDefinition,
} from "../../../core";
import {
  ERASURE_MEMORY_SECS,
  ExperimentAdmin,
  type ExperimentDefinition,
  ExperimentError,
  erasureKey,
  experimentResults,
  nextScheduledAt,
  nowSecs,
} from "../../../core";
import { encodeSnapshot, SNAPSHOT_KEY } from "../../config/snapshot";
import type { WebhookMessage } from "../../events/messages";
import type { ActorObject } from "../actor/actor-object";
import { migrate } from "../migrate";
import { SRM_CHECKED, SRM_MISMATCH } from "../stats/notices";
import type { StatsObject } from "../stats/stats-object";
import { REGISTRY_MIGRATIONS } from "./migrations";
import { RegistryRepository } from "./repository";

/** The bindings the registry uses: the snapshot's KV namespace, and the actors' objects for overrides. */
export interface RegistryEnv {
  CONFIG: KVNamespace;
  ACTORS: DurableObjectNamespace<ActorObject>;
  /** Where webhook deliveries go, to be sent by the queue's consumer; unbound, they are dropped (logged). */
  EVENTS?: Queue<WebhookMessage>;
  /** `1`: webhook URLs may be `http://` (local development and tests). */
  WEBHOOK_ALLOW_HTTP?: string;
  /** The experiments' counts, for the sample-ratio check behind `srm.mismatch`. */
  STATS: DurableObjectNamespace<StatsObject>;
}

/** How many waiting deliveries one alarm hands to the queue (a `sendBatch` takes 100). */
const HANDOVER_BATCH = 100;

/** KV allows one write per second per key; the snapshot is one key. */
const PUBLISH_INTERVAL_MS = 1000;
/** How long after a failed KV write the next attempt is made, for as long as it fails. */
const PUBLISH_RETRY_MS = 5000;

/**
 * The one registry (`idFromName("registry")`): authoritative experiment configs, their
 * change history and the override index. Every admin mutation runs here, one at a
 * time, through the engine's `ExperimentAdmin`, so the lifecycle rules are the same as
 * the in-memory engine's.
 *
 * It is never on the assignment path: it publishes the configs to KV, and the edge
 * reads them from there. Publishing is coalesced through the object's alarm so the
 * snapshot key is written at most once a second however fast admins change things.
 */
export class RegistryObject extends DurableObject<RegistryEnv> {
  private readonly repository: RegistryRepository;
  private readonly admin: ExperimentAdmin;
  /** Admin mutations queue here: overrides await the actor's object mid-operation. */
  private tail: Promise<unknown> = Promise.resolve();
  /** When to try again after a failed KV write; `null` while writes succeed. */
  private retryPublishAt: number | null = null;

  constructor(ctx: DurableObjectState, env: RegistryEnv) {
    super(ctx, env);
    this.repository = new RegistryRepository(ctx.storage, env.ACTORS);
    this.admin = new ExperimentAdmin(this.repository, this.repository);
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, REGISTRY_MIGRATIONS));
  }

  list(): Promise<Result<ExperimentConfig[]>> {
    return this.read(() => this.admin.list());
  }

  status(name: string): Promise<Result<ExperimentConfig>> {
    return this.read(() => this.admin.status(name));
  }

  layers(): Promise<Result<LayerOverview[]>> {
    return this.read(() => this.admin.layers());
  }

  history(name: string, limit: number): Promise<Result<ChangeRecord[]>> {
    return this.read(() => this.admin.history(name, limit));
  }

  overrides(name: string): Promise<Result<OverrideEntry[]>> {
    return this.read(() => this.admin.overrides(name));
  }

  /** The experiment's config and the variants of each of its revisions. @throws `not_found`. */
  revisions(name: string): Promise<Result<{ config: ExperimentConfig; revisions: RevisionWeights[] }>> {
    return this.read(async () => ({
      config: await this.admin.status(name),
      revisions: this.repository.revisions(name),
    }));
  }

  define(
    name: string,
    definition: ExperimentDefinition,
    by: string | null,
  ): Promise<Result<{ config: ExperimentConfig; created: boolean }>> {
    return this.mutate(() => this.admin.define(name, definition, by));
  }

  start(name: string, by: string | null): Promise<Result<ExperimentConfig>> {
    return this.mutate(() => this.admin.start(name, by));
  }

  conclude(name: string, winner: string, by: string | null): Promise<Result<ExperimentConfig>> {
    return this.mutate(() => this.admin.conclude(name, winner, by));
  }

  archive(name: string, by: string | null): Promise<Result<ExperimentConfig>> {
    return this.mutate(() => this.admin.archive(name, by));
  }

  /** Concludes on the baseline for a guardrail's breach (the events queue's consumer asks). */
  autoStop(name: string, breach: GuardrailBreach): Promise<Result<ExperimentConfig>> {
    return this.mutate(() => this.admin.autoStop(name, breach));
  }

  setWeights(name: string, variants: VariantConfig[], by: string | null): Promise<Result<ExperimentConfig>> {
    return this.mutate(() => this.admin.setWeights(name, variants, by));
  }

  setCoverage(name: string, coverage: number, by: string | null): Promise<Result<ExperimentConfig>> {
    return this.mutate(() => this.admin.setCoverage(name, coverage, by));
  }

  setOverride(experiment: string, actor: string, variant: string, by: string | null): Promise<Result<null>> {
    return this.mutate(async () => {
      await this.admin.setOverride(experiment, actor, variant, by);
      return null;
    });
  }

  removeOverride(experiment: string, actor: string, by: string | null): Promise<Result<null>> {
    return this.mutate(async () => {
      await this.admin.removeOverride(experiment, actor, by);
      return null;
    });
  }

  holdouts(): Promise<Result<(HoldoutConfig & { members: string[] })[]>> {
    return this.read(() => this.admin.listHoldouts());
  }

  holdout(name: string): Promise<Result<HoldoutConfig>> {
    return this.read(() => this.admin.holdout(name));
  }

  holdoutHistory(name: string, limit: number): Promise<Result<HoldoutChangeRecord[]>> {
    return this.read(() => this.admin.holdoutHistory(name, limit));
  }

  defineHoldout(
    name: string,
    definition: HoldoutDefinition,
    by: string | null,
  ): Promise<Result<{ holdout: HoldoutConfig; created: boolean }>> {
    return this.mutate(() => this.admin.defineHoldout(name, definition, by));
  }

  deleteHoldout(name: string, by: string | null): Promise<Result<null>> {
    return this.mutate(async () => {
      await this.admin.deleteHoldout(name, by);
      return null;
    });
  }

  /**
   * The registry's one alarm, for two jobs: the schedules' due parts fire first (as admin
   * changes, one at a time with the rest), then the configs are written to KV if they
   * changed, then the alarm is armed for whichever comes next.
   */
  override async alarm(): Promise<void> {
    const ran = await this.serialized(() => this.admin.runSchedules(nowSecs()));
    if (!ran.ok) console.error("running the schedules failed", ran.error);
    await this.publish();
    await this.handOverDeliveries();
    await this.armAlarm({ replace: true });
  }

  /**
   * The sample-ratio check behind the `srm.mismatch` webhook, asked by the queue's
   * consumer when its own rough check (today's weights for every enrolment) says
   * mismatch: this one holds each enrolment against the weights of its revision. The
   * first time it says mismatch, the webhook's deliveries are written; the stats object
   * remembers that, and when this last checked (so the consumer asks again only later).
   * @returns whether deliveries were written
   */
  checkSrm(name: string): Promise<Result<boolean>> {
    return this.mutate(async () => {
      const config = await this.admin.status(name);
      const stats = this.env.STATS.get(this.env.STATS.idFromName(name));
      const reading = await stats.read();
      await stats.notice(SRM_CHECKED, false);
      if (config.state !== "running" || reading.notices[SRM_MISMATCH] !== undefined) return false;
      const { srm } = experimentResults(config, this.repository.revisions(name), reading.counts, nowSecs());
      if (srm.status !== "mismatch") return false;
      // Written before the notice: were the notice lost, the webhook would go twice, not never.
      this.ctx.storage.transactionSync(() =>
        this.repository.webhooks.emit(["srm.mismatch"], () => ({
          experiment: config,
          srm,
          change: "srm=mismatch",
          actor: null,
        })),
      );
      await stats.notice(SRM_MISMATCH, true);
      return true;
    });
  }

  /** Erases an actor (`RegistryRepository.eraseActor`); the same answer however often it is asked. */
  eraseActor(actor: string, by: string | null): Promise<Result<null>> {
    return this.mutate(async () => {
      await this.repository.eraseActor(actor, await erasureKey(actor), by);
      return null;
    });
  }

  // ── Webhooks ──────────────────────────────────────────────────────────────────

  webhooks(): Promise<Result<WebhookConfig[]>> {
    return this.read(async () => this.repository.webhooks.list());
  }

  defineWebhook(
    name: string,
    definition: WebhookDefinition,
  ): Promise<Result<{ webhook: WebhookConfig; secret: string | null; created: boolean }>> {
    const allowHttp = this.env.WEBHOOK_ALLOW_HTTP === "1";
    return this.mutate(async () => this.repository.webhooks.define(name, definition, allowHttp));
  }

  rotateWebhook(name: string): Promise<Result<{ webhook: WebhookConfig; secret: string }>> {
    return this.mutate(async () => this.repository.webhooks.rotate(name));
  }

  deleteWebhook(name: string): Promise<Result<null>> {
    return this.mutate(async () => {
      this.repository.webhooks.delete(name);
      return null;
    });
  }

  /** For the queue's consumer: where to send a delivery, with the current secret, and whether it was answered already. */
  webhookTarget(name: string, id: string): Promise<Result<{ url: string; secret: string; delivered: boolean } | null>> {
    return this.read(async () => this.repository.webhooks.target(name, id));
  }

  /** For the queue's consumer: a receiver answered this delivery 2xx. */
  webhookDelivered(id: string): Promise<Result<null>> {
    return this.serialized(async () => {
      this.repository.webhooks.delivered(id);
      return null;
    });
  }

  /**
   * Hands the deliveries that changes left in the outbox to the events queue, a hundred
   * at a time; what the queue refuses stays for the next alarm.
   */
  private async handOverDeliveries(): Promise<void> {
    for (;;) {
      const waiting = this.repository.webhooks.waiting(HANDOVER_BATCH);
      if (waiting.length === 0) return;
      const last = waiting.at(-1)?.seq as number;
      if (this.env.EVENTS === undefined) {
        console.error(`${waiting.length} webhook deliveries dropped: no EVENTS queue is bound to send them`);
      } else {
        try {
          await this.env.EVENTS.sendBatch(
            waiting.map(({ seq: _, ...webhook }) => ({ body: { webhook }, contentType: "json" as const })),
          );
        } catch (error) {
          console.error("handing webhook deliveries to the queue failed; the next alarm tries again", error);
          this.retryPublishAt = Date.now() + PUBLISH_RETRY_MS;
          return;
        }
      }
      this.repository.webhooks.handedOver(last);
    }
  }

  /**
   * Writes the current configs to KV. A failed write re-arms the alarm, every
   * `PUBLISH_RETRY_MS` until KV takes it: the runtime's own retries of a throwing alarm
   * stop after six (about two minutes), and the edge would then keep old configs until
   * the next admin change.
   */
  private async publish(): Promise<void> {
    const { version, published_version } = this.repository.publishState();
    if (version === published_version) return; // nothing new since the last write
    const now = Date.now();
    // Recorded before the write, so a mutation arriving during it schedules the next
    // publish a full interval after this one.
    this.repository.recordPublishAttempt(now);
    const experiments = await this.repository.list();
    // The edge reads overrides only for running experiments (rules 1–3 decide the rest
    // first), so the others' stay out of the snapshot every isolate fetches and parses.
    const running = new Set(experiments.filter((e) => e.state === "running").map((e) => e.name));
    const snapshot = encodeSnapshot({
      version,
      experiments,
      overrides: this.repository.allOverrides().filter(([experiment]) => running.has(experiment)),
      holdouts: await this.repository.listHoldouts(),
      erasures: this.repository.recentErasures(ERASURE_MEMORY_SECS),
    });
    try {
      await this.env.CONFIG.put(SNAPSHOT_KEY, snapshot);
    } catch (error) {
      console.error("config publish failed; trying again shortly", error);
      this.retryPublishAt = Date.now() + PUBLISH_RETRY_MS;
      return;
    }
    this.retryPublishAt = null;
    this.repository.recordPublished(version);
  }

  /**
   * Arms the alarm for the earliest of: the next publish (a second after the last KV
   * write, or a retry's time), when configs changed since; the next scheduled part.
   * After a change, an alarm already set earlier is kept; at the end of the alarm, which
   * has just done its work, the alarm is set to exactly that time, or cleared.
   */
  private async armAlarm({ replace }: { replace: boolean }): Promise<void> {
    const times: number[] = [];
    const { version, published_version, published_at_ms } = this.repository.publishState();
    if (version !== published_version) {
      times.push(this.retryPublishAt ?? Math.max(Date.now(), published_at_ms + PUBLISH_INTERVAL_MS));
    }
    const scheduled = (await this.repository.list()).map(nextScheduledAt).filter((at): at is number => at !== null);
    if (scheduled.length > 0) times.push(Math.min(...scheduled) * 1000);
    if (this.repository.webhooks.waiting(1).length > 0) times.push(this.retryPublishAt ?? Date.now());
    if (times.length === 0) {
      if (replace) await this.ctx.storage.deleteAlarm();
      return;
    }
    const next = Math.min(...times);
    const armed = replace ? null : await this.ctx.storage.getAlarm();
    if (armed === null || next < armed) await this.ctx.storage.setAlarm(next);
  }

  private read<T>(operation: () => Promise<T>): Promise<Result<T>> {
    return settle(operation());
  }

  /** Runs a change after the ones before it, then arms the alarm to publish what it changed. */
  private mutate<T>(operation: () => Promise<T>): Promise<Result<T>> {
    return this.serialized(async () => {
      const value = await operation();
      await this.armAlarm({ replace: false });
      return value;
    });
  }

  /** Runs `operation` after the changes before it, one at a time. */
  private serialized<T>(operation: () => Promise<T>): Promise<Result<T>> {
    const run = this.tail.then(operation);
    this.tail = run.catch(() => undefined);
    return settle(run);
  }
}

async function settle<T>(pending: Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await pending };
  } catch (error) {
    if (error instanceof ExperimentError) return { ok: false, error: error.failure };
    throw error;
  }
}
