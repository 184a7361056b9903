import { WEBHOOK_EVENT_TYPES } from "../../core/webhooks";
import { confirmDialog, secretDialog } from "../dialog";
import { type Child, h } from "../dom";
import { utc } from "../format";
import { canWrite, columnHeads, refreshButton, scrollingTable, showDone, showError, type ViewContext } from "../view";
import { type Webhook, webhookApi } from "../webhook-api";
import { webhookDialog } from "./webhook-dialog";

/** Words for the list's next render: what the last action did. */
let pending: string | null = null;

/**
 * Every webhook subscription in a table: its name, the URL deliveries go to, and the event
 * types it receives. A write token may create one (New webhook), rotate its secret and
 * delete it; a secret shows once, in a dialog, when it is made. After a change the page
 * reads the list again.
 */
export async function webhooksView(ctx: ViewContext): Promise<HTMLElement> {
  const notices = h("div", { class: "notices", "aria-live": "polite" });
  const title = h("h1", { id: "view-title", tabindex: "-1" }, "Webhooks");
  const view = h("section", { class: "view" });
  if (pending !== null) showDone(notices, pending);
  pending = null;

  let webhooks: Webhook[];
  try {
    webhooks = await webhookApi(ctx.session.client).list();
  } catch (error) {
    showError(ctx, notices, error);
    view.append(h("header", { class: "view-header" }, title), notices);
    return view;
  }

  const refresh = refreshButton(ctx);
  const create = canWrite(ctx)
    ? h(
        "button",
        { type: "button", class: "button button-primary", on: { click: () => void createWebhook(ctx) } },
        "New webhook",
      )
    : null;
  const noun = webhooks.length === 1 ? "subscription" : "subscriptions";
  view.append(
    h(
      "header",
      { class: "view-header" },
      h("div", null, title, h("p", { class: "muted" }, `${webhooks.length} ${noun}`)),
      h("div", { class: "toolbar" }, refresh, create),
    ),
    h(
      "p",
      { class: "hint intro" },
      "Each subscription receives a signed POST (Standard Webhooks) for every change of the types it names, retried for about a day until its URL answers 2xx. Its signing secret is shown once, when it is created or rotated.",
    ),
    notices,
    webhooks.length === 0 ? empty(ctx) : table(ctx, webhooks),
  );
  return view;
}

/** Says `done` above the list, and reads it again. */
function changed(ctx: ViewContext, done: string): void {
  pending = done;
  ctx.reload();
}

async function createWebhook(ctx: ViewContext): Promise<void> {
  const created = await webhookDialog(ctx);
  if (created === null) return;
  if (created.secret === null) {
    // Another operator created the name between the dialog's check and its PUT: that one was replaced.
    changed(ctx, `Webhook ${created.name} already existed and was replaced; its secret is unchanged.`);
    return;
  }
  await secretDialog({
    title: `Webhook ${created.name} created`,
    intro: h("p", null, "Its receiver checks each delivery's webhook-signature with this secret."),
    label: "Signing secret",
    secret: created.secret,
  });
  changed(ctx, `Created webhook ${created.name}.`);
}

async function rotateSecret(ctx: ViewContext, name: string): Promise<void> {
  let secret = "";
  const rotated = await confirmDialog({
    title: `Rotate the secret of ${name}?`,
    body: h(
      "p",
      null,
      "A new secret signs every delivery from now on, and the current one stops at once: the receiver refuses deliveries until it has the new one.",
    ),
    confirmLabel: "Rotate secret",
    danger: true,
    confirm: async () => {
      ({ secret } = await webhookApi(ctx.session.client).rotate(name));
    },
  });
  if (!rotated) return;
  await secretDialog({
    title: `New secret of ${name}`,
    intro: h("p", null, "Give it to the receiver now: deliveries are already signed with it."),
    label: "Signing secret",
    secret,
  });
  changed(ctx, `Rotated the secret of ${name}.`);
}

async function deleteWebhook(ctx: ViewContext, name: string): Promise<void> {
  const deleted = await confirmDialog({
    title: `Delete webhook ${name}?`,
    body: h(
      "p",
      null,
      "Its URL receives nothing more, and deliveries still waiting for it are dropped. This cannot be undone.",
    ),
    confirmLabel: "Delete webhook",
    danger: true,
    confirm: () => webhookApi(ctx.session.client).remove(name),
  });
  if (deleted) changed(ctx, `Deleted webhook ${name}.`);
}

function empty(ctx: ViewContext): HTMLElement {
  return h(
    "div",
    { class: "empty card" },
    h("p", null, "No webhooks yet."),
    h(
      "p",
      { class: "muted" },
      canWrite(ctx)
        ? "Create one with New webhook or the admin API (PUT /v1/admin/webhooks/{name})."
        : "Subscriptions made with the admin API (PUT /v1/admin/webhooks/{name}) show here.",
    ),
  );
}

function table(ctx: ViewContext, webhooks: readonly Webhook[]): HTMLElement {
  const write = canWrite(ctx);
  return scrollingTable(
    { caption: "Webhooks", class: "data webhooks", box: "card" },
    columnHeads(
      h("th", { scope: "col" }, "Webhook"),
      h("th", { scope: "col" }, "URL"),
      h("th", { scope: "col" }, "Event types"),
      h("th", { scope: "col" }, "Updated"),
      write ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")) : null,
    ),
    h(
      "tbody",
      null,
      webhooks.map((webhook) =>
        h(
          "tr",
          null,
          h("td", { class: "name-cell" }, h("strong", null, webhook.name)),
          // `data-label` heads each cell where a narrow screen shows a row as a card.
          h("td", { class: "url-cell", "data-label": "URL" }, h("code", null, breakable(webhook.url))),
          h("td", { "data-label": "Event types" }, eventTypes(webhook.events)),
          h("td", { class: "nowrap", "data-label": "Updated" }, utc(webhook.updated_at_secs)),
          write ? h("td", { class: "actions-cell" }, actions(ctx, webhook.name)) : null,
        ),
      ),
    ),
  );
}

/**
 * A URL with a line-break opportunity after each `/`, `?` and `&` of its path and query, so
 * that a long one wraps where it reads well (`https://host/` stays whole).
 */
function breakable(url: string): Child[] {
  return url.split(/(?<=[^/][/?&])(?!\/)/).flatMap((part, i) => (i === 0 ? [part] : [h("wbr"), part]));
}

/** Every type as a tag, or "all" when it receives every type there is. */
function eventTypes(events: readonly string[]): Child {
  if (WEBHOOK_EVENT_TYPES.every((type) => events.includes(type))) return "All event types";
  if (events.length === 0) return h("span", { class: "muted" }, "none");
  return h(
    "ul",
    { class: "event-list" },
    events.map((type) => h("li", null, h("code", null, type))),
  );
}

function actions(ctx: ViewContext, name: string): HTMLElement {
  const button = (label: string, named: string, click: () => void, extra = "") =>
    // The name says which webhook (the label alone repeats on every row); it starts with the visible label.
    h("button", { type: "button", class: `button button-small ${extra}`, "aria-label": named, on: { click } }, label);
  return h(
    "div",
    { class: "row-actions" },
    button("Rotate secret", `Rotate secret of ${name}`, () => void rotateSecret(ctx, name)),
    button("Delete", `Delete ${name}`, () => void deleteWebhook(ctx, name), "button-danger-outline"),
  );
}
