import { utcDay } from "../../core";
import type { EventMessage } from "./messages";

/** The archive's line format: a field is added as a new version, never changed in place. */
export const ARCHIVE_SCHEMA = 1;

/**
 * One archived event, version 1: every kind in one shape, `null` where a field does not
 * apply (an exposure has no `event`, a tracked event no `experiment`).
 */
export interface ArchivedEventV1 {
  schema: typeof ARCHIVE_SCHEMA;
  kind: EventMessage["kind"];
  experiment: string | null;
  variant: string | null;
  actor: string;
  revision: number | null;
  timestamp_secs: number;
  event: string | null;
  value: number | null;
  id: string | null;
  request_id: string | null;
}

/**
 * Writes a queue message's events to the archive bucket as gzip NDJSON, one object per
 * UTC day of its events: `events/dt=YYYY-MM-DD/<message id>.ndjson.gz`. The key is the
 * message's, which the queue keeps across redeliveries (a batch has no such identity),
 * so a message delivered again writes the same objects again: each event is archived
 * once. Rejects when the bucket does; the caller retries the message.
 */
export async function archiveMessage(bucket: R2Bucket, messageId: string, events: readonly EventMessage[]) {
  const byDay = new Map<string, ArchivedEventV1[]>();
  for (const event of events) {
    const day = utcDay(event.timestamp_secs);
    const lines = byDay.get(day) ?? [];
    lines.push(archivedEvent(event));
    byDay.set(day, lines);
  }
  await Promise.all(
    [...byDay].map(async ([day, lines]) => {
      const ndjson = lines.map((line) => `${JSON.stringify(line)}\n`).join("");
      await bucket.put(archiveKey(day, messageId), await gzip(ndjson), {
        httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" },
      });
    }),
  );
}

/** The object key of a message's events of one day. */
export function archiveKey(day: string, messageId: string): string {
  return `events/dt=${day}/${messageId}.ndjson.gz`;
}

function archivedEvent(event: EventMessage): ArchivedEventV1 {
  const line: ArchivedEventV1 = {
    schema: ARCHIVE_SCHEMA,
    kind: event.kind,
    experiment: null,
    variant: null,
    actor: event.actor,
    revision: null,
    timestamp_secs: event.timestamp_secs,
    event: null,
    value: null,
    id: null,
    request_id: null,
  };
  if (event.kind === "track") return { ...line, event: event.event, value: event.value, id: event.id };
  const counted = { ...line, experiment: event.experiment, variant: event.variant, revision: event.revision };
  return event.kind === "exposure" ? { ...counted, request_id: event.request_id } : counted;
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}
