import { ApiError } from "../../client";
import { WEBHOOK_EVENT_TYPES } from "../../core/webhooks";
import { experimentNameProblem } from "../checks";
import { confirmDialog, FieldError } from "../dialog";
import { h, uid } from "../dom";
import { labelledField, type ViewContext } from "../view";
import { type WebhookEventType, webhookApi } from "../webhook-api";

/**
 * The "New webhook" dialog: a name, the URL deliveries go to, and the event types it
 * receives (all, to begin with), through the webhook `PUT`. That `PUT` replaces an
 * existing subscription, so the name is first checked free. The name, which travels in
 * the URL's path, is checked before anything is sent (webhook names follow the
 * experiment-name rules), and so is a choice of no type at all (a subscription to
 * nothing, which the API would take); the API judges the URL, and its refusal shows on
 * the field in its own words.
 *
 * @returns the new webhook's name and its secret (`null` when the name turned out taken
 *   after all, and the `PUT` replaced it), or `null` when the operator cancelled
 */
export async function webhookDialog(ctx: ViewContext): Promise<{ name: string; secret: string | null } | null> {
  const name = h("input", {
    id: uid("webhook-name"),
    name: "name",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "ops_alerts",
  });
  // Text, not `type=url`: the API words what it refuses (http://, credentials), not the browser.
  const url = h("input", {
    id: uid("webhook-url"),
    name: "url",
    required: true,
    inputmode: "url",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "https://hooks.example.com/experiments",
  });
  const boxes = WEBHOOK_EVENT_TYPES.map((type) =>
    h("input", { type: "checkbox", id: uid("webhook-event"), name: "events", value: type, checked: true }),
  );
  const first = boxes[0] as HTMLInputElement;

  let created: { name: string; secret: string | null } | null = null;
  const done = await confirmDialog({
    title: "New webhook",
    body: h(
      "div",
      { class: "fields fields-stacked" },
      labelledField("Name", name, "Letters, digits, '_', '.' and '-'; it cannot be changed later."),
      labelledField("URL", url, "https:// only; deliveries are POSTed here."),
      h(
        "fieldset",
        { class: "choices event-choices" },
        h("legend", null, "Event types"),
        boxes.map((box) => h("div", { class: "choice" }, box, h("label", { for: box.id }, h("code", null, box.value)))),
      ),
    ),
    confirmLabel: "Create webhook",
    async confirm() {
      const webhook = name.value.trim();
      const problem = experimentNameProblem(webhook);
      if (problem !== null) throw new FieldError(name, problem);
      const events = boxes.filter((box) => box.checked).map((box) => box.value as WebhookEventType);
      if (events.length === 0) throw new FieldError(first, "Choose at least one event type.");
      const api = webhookApi(ctx.session.client);
      if ((await api.list()).some((w) => w.name === webhook)) {
        throw new FieldError(name, `A webhook named ${webhook} already exists.`);
      }
      try {
        const { secret } = await api.define(webhook, { url: url.value.trim(), events });
        created = { name: webhook, secret };
      } catch (error) {
        throw refusedField(error, url, first) ?? error;
      }
    },
  });
  return done ? created : null;
}

/** The API's refusal of the URL or of a type (its pointer `/url`, `/events/<i>`), on that field, in its words. */
function refusedField(error: unknown, url: HTMLElement, events: HTMLElement): FieldError | null {
  if (!(error instanceof ApiError)) return null;
  const pointer = error.errors.find((e) => e.pointer !== undefined)?.pointer ?? "";
  if (pointer === "/url") return new FieldError(url, error.detail);
  if (pointer.startsWith("/events")) return new FieldError(events, error.detail);
  return null;
}
