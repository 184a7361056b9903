import { utf8Length } from "../../core";
import { type EventMessage, type EventPack, MAX_EVENTS_PER_MESSAGE } from "./messages";

// Cloudflare Queues accepts a message of up to 128 KB and a `sendBatch` of up to 100
// messages and 256 KB in all, a KB being 1,000 bytes of which about 100 a message are
// the queue's metadata. The budgets leave room for that and each message's envelope.
const MESSAGE_BUDGET_BYTES = 120 * 1024;
const SEND_BUDGET_BYTES = 230 * 1024;
const SEND_MAX_MESSAGES = 100;

/**
 * Events as queue messages of at most 100 events each, and those messages as
 * `sendBatch` calls, each message and each call within the queue's limits, measured
 * on the JSON that travels. Order is kept. Typical events (about 200 bytes) fill a
 * message by count; the largest the limits allow (about 1.2 KB) fill it by size.
 */
export function packEvents(events: readonly EventMessage[]): EventPack[][] {
  const sends: EventPack[][] = [];
  let send: EventPack[] = [];
  let sendBytes = 0;
  let pack: EventMessage[] = [];
  let packBytes = 0;
  const closePack = () => {
    if (pack.length === 0) return;
    if (send.length === SEND_MAX_MESSAGES || sendBytes + packBytes > SEND_BUDGET_BYTES) {
      sends.push(send);
      send = [];
      sendBytes = 0;
    }
    send.push({ events: pack });
    sendBytes += packBytes;
    pack = [];
    packBytes = 0;
  };
  for (const event of events) {
    const bytes = utf8Length(JSON.stringify(event)) + 1; // and its comma
    if (pack.length === MAX_EVENTS_PER_MESSAGE || packBytes + bytes > MESSAGE_BUDGET_BYTES) closePack();
    pack.push(event);
    packBytes += bytes;
  }
  closePack();
  if (send.length > 0) sends.push(send);
  return sends;
}
