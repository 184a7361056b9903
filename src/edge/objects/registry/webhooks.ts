import {
  ExperimentError,
  eventTypesOf,
  newWebhookSecret,
  nowSecs,
  type WebhookConfig,
  type WebhookDefinition,
  type WebhookEventType,
  webhookConfig,
} from "../../../core";
import { type WebhookDelivery, webhookColumn, webhookDeliveryFromRow, webhookFromRow } from "./rows";

/** How long a delivery answered 2xx is remembered: past the queue's longest redelivery. */
const REMEMBER_DELIVERED_MS = 7 * 24 * 3600 * 1000;

/**
 * The registry's webhooks: the subscriptions (with their secrets, never in a read), the
 * outbox of deliveries that changes write in their own transaction, and the ids of the
 * deliveries a receiver answered 2xx. Everything here runs inside the registry's
 * serialised mutations, on its SQLite.
 */
export class RegistryWebhooks {
  constructor(private readonly sql: SqlStorage) {}

  list(): WebhookConfig[] {
    return this.sql
      .exec("SELECT * FROM webhooks ORDER BY name")
      .toArray()
      .map((row) => webhookFromRow(row).webhook);
  }

  /**
   * Creates (with a new secret, answered this once) or replaces a subscription (the
   * secret kept, and not answered).
   */
  define(
    name: string,
    definition: WebhookDefinition,
    allowHttp: boolean,
  ): { webhook: WebhookConfig; secret: string | null; created: boolean } {
    const current = this.find(name);
    const webhook = webhookConfig(name, definition, current?.webhook ?? null, { allowHttp, now: nowSecs() });
    const secret = current?.secret ?? newWebhookSecret();
    this.sql.exec(
      `INSERT INTO webhooks (name, webhook, secret) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET webhook = excluded.webhook`,
      name,
      webhookColumn(webhook),
      secret,
    );
    return { webhook, secret: current === null ? secret : null, created: current === null };
  }

  /** A new secret for the subscription, answered this once; the old one signs nothing from now on. */
  rotate(name: string): { webhook: WebhookConfig; secret: string } {
    const current = this.found(name);
    const secret = newWebhookSecret();
    this.sql.exec("UPDATE webhooks SET secret = ? WHERE name = ?", secret, name);
    return { webhook: current.webhook, secret };
  }

  /** Deletes the subscription and its waiting deliveries. @throws `not_found`. */
  delete(name: string): void {
    this.found(name);
    this.sql.exec("DELETE FROM webhooks WHERE name = ?", name);
    this.sql.exec("DELETE FROM webhook_outbox WHERE webhook = ?", name);
  }

  /**
   * Queues, in the caller's transaction, one delivery per subscription to each of
   * `types`. `data` is made only when some subscription takes one of them: most changes
   * have no subscriber, and should not read or serialise anything for none.
   */
  emit(types: readonly WebhookEventType[], data: () => unknown): void {
    let json: string | undefined;
    for (const webhook of this.list()) {
      for (const type of types) {
        if (!webhook.events.includes(type)) continue;
        json ??= JSON.stringify(data());
        this.sql.exec(
          "INSERT INTO webhook_outbox (id, webhook, type, timestamp_secs, data) VALUES (?, ?, ?, ?, ?)",
          `msg_${crypto.randomUUID()}`,
          webhook.name,
          type,
          nowSecs(),
          json,
        );
      }
    }
  }

  /** What an experiment's history entry sends: the config after the change (read only if sent), and who made it. */
  emitChange(mutation: string, experiment: () => unknown, by: string | null): void {
    this.emit(eventTypesOf(mutation), () => ({ experiment: experiment(), change: mutation, actor: by }));
  }

  /** The deliveries waiting for the queue, oldest first. */
  waiting(limit: number): (WebhookDelivery & { seq: number })[] {
    return this.sql
      .exec("SELECT * FROM webhook_outbox ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((row) => ({ ...webhookDeliveryFromRow(row), seq: Number((row as { seq: number }).seq) }));
  }

  /** The queue holds these now. */
  handedOver(upToSeq: number): void {
    this.sql.exec("DELETE FROM webhook_outbox WHERE seq <= ?", upToSeq);
  }

  /** Where and how to send a delivery, and whether a receiver already answered it 2xx; `null` once the subscription is gone. */
  target(name: string, id: string): { url: string; secret: string; delivered: boolean } | null {
    const current = this.find(name);
    if (current === null) return null;
    const delivered = this.sql.exec("SELECT 1 FROM webhook_delivered WHERE id = ?", id).toArray().length > 0;
    return { url: current.webhook.url, secret: current.secret, delivered };
  }

  /** A receiver answered 2xx: the delivery is never sent again. */
  delivered(id: string): void {
    const now = Date.now();
    this.sql.exec("INSERT INTO webhook_delivered (id, at_ms) VALUES (?, ?) ON CONFLICT DO NOTHING", id, now);
    this.sql.exec("DELETE FROM webhook_delivered WHERE at_ms < ?", now - REMEMBER_DELIVERED_MS);
  }

  private find(name: string): { webhook: WebhookConfig; secret: string } | null {
    const row = this.sql.exec("SELECT * FROM webhooks WHERE name = ?", name).toArray()[0];
    return row === undefined ? null : webhookFromRow(row);
  }

  private found(name: string): { webhook: WebhookConfig; secret: string } {
    const current = this.find(name);
    if (current === null) throw new ExperimentError("not_found", `webhook '${name}' not found`);
    return current;
  }
}
