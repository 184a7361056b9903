import { type Child, h, uid } from "./dom";
import { SRM_LABEL, type SrmStatus, type State } from "./format";
import { describeError, isUnauthorized, type Session } from "./session";

/** What a view gets from the shell around it. */
export interface ViewContext {
  session: Session;
  /** The API refused the token (401): forget it and ask for another, showing `detail`. */
  signedOut(detail: string): void;
  /** Shows the current address again, with fresh data. */
  reload(): void;
}

/** Whether the token may change things: a read token sees no action at all. */
export function canWrite(ctx: ViewContext): boolean {
  return ctx.session.identity.scope === "write";
}

/** A list page's `Refresh`: the address shown again, with fresh data. */
export function refreshButton(ctx: ViewContext): HTMLElement {
  return h("button", { type: "button", class: "button", on: { click: () => ctx.reload() } }, "Refresh");
}

/**
 * A list page's button that creates (`New experiment`, …): opens `dialog`, then the new
 * item's page when one was made. A read token sees no action at all: `null`.
 */
export function createButton(
  ctx: ViewContext,
  label: string,
  dialog: () => Promise<string | null>,
  pageOf: (name: string) => string,
): HTMLElement | null {
  if (!canWrite(ctx)) return null;
  const click = async () => {
    const name = await dialog();
    if (name !== null) location.hash = pageOf(name);
  };
  return h("button", { type: "button", class: "button button-primary", on: { click } }, label);
}

/**
 * A labelled form field: `control` under its label, with `hint` (if any) as its
 * description, so a screen reader reads the format with it.
 */
export function labelledField(
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement,
  hint?: string,
): HTMLElement {
  const hintId = uid("field-hint");
  if (hint) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: control.id }, label),
    control,
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null,
  );
}

/**
 * Shows a failed call's `detail` in `slot`, or, for a 401, sends the operator back to
 * the sign-in form with it.
 */
export function showError(ctx: ViewContext, slot: HTMLElement, error: unknown): void {
  if (isUnauthorized(error)) {
    ctx.signedOut(describeError(error));
    return;
  }
  showAlert(slot, describeError(error));
}

/** Words of refusal in `slot`, an alert (read out at once); `id` lets a field point at them. */
export function showAlert(slot: HTMLElement, text: string, id?: string): void {
  slot.replaceChildren(h("p", { id, class: "notice notice-error", role: "alert" }, text));
}

const FIELD_ERROR = "field-error";

/**
 * Shows why `field` cannot be sent, in `slot` (as a refusal shows: an alert in the form's
 * error slot), and ties the words to the field (`aria-invalid`, `aria-describedby`), so a
 * screen reader reads them with it. The same words already shown are left alone, not
 * announced again (the weights are checked as they are typed).
 * @param focus move focus to the field (on a submit; not while the operator types)
 */
export function showFieldError(slot: HTMLElement, field: HTMLElement, text: string, focus = false): void {
  const shown = slot.firstElementChild;
  if (!(shown?.id.startsWith(`${FIELD_ERROR}-`) && shown.textContent === text)) {
    clearFieldError(slot, field);
    const id = uid(FIELD_ERROR);
    showAlert(slot, text, id);
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", [...describedBy(field), id].join(" "));
  }
  if (focus) field.focus();
}

/** Takes back `showFieldError`: the field is valid again. */
export function clearFieldError(slot: HTMLElement, field: HTMLElement): void {
  slot.replaceChildren();
  field.removeAttribute("aria-invalid");
  const rest = describedBy(field);
  if (rest.length > 0) field.setAttribute("aria-describedby", rest.join(" "));
  else field.removeAttribute("aria-describedby");
}

/** The field's descriptions other than a field error (a hint stays). */
function describedBy(field: HTMLElement): string[] {
  const ids = (field.getAttribute("aria-describedby") ?? "").split(/\s+/);
  return ids.filter((id) => id !== "" && !id.startsWith(`${FIELD_ERROR}-`));
}

/** A success message in `slot` (a live region, so it is read out). */
export function showDone(slot: HTMLElement, text: string): void {
  slot.replaceChildren(h("p", { class: "notice notice-ok" }, text));
}

/**
 * A table in a box that scrolls sideways where the screen is too narrow for it: a region
 * named by the table's caption (read to screen readers only), focusable so that the
 * keyboard can scroll it.
 * @param options.box classes the box gets besides `table-scroll`
 */
export function scrollingTable(
  options: { caption: string; class: string; box?: string },
  ...parts: Child[]
): HTMLElement {
  const captionId = uid("table-caption");
  return h(
    "div",
    {
      class: options.box === undefined ? "table-scroll" : `table-scroll ${options.box}`,
      role: "region",
      "aria-labelledby": captionId,
      tabindex: "0",
    },
    h(
      "table",
      { class: options.class },
      h("caption", { id: captionId, class: "visually-hidden" }, options.caption),
      ...parts,
    ),
  );
}

/** A table's head: one row of column heads. */
export function columnHeads(...heads: Child[]): HTMLElement {
  return h("thead", null, h("tr", null, ...heads));
}

export function stateBadge(state: State): HTMLElement {
  return h("span", { class: `badge badge-${state}` }, state);
}

/** `SRM: ok` and its colour; the words are what the browser test and screen readers read. */
export function srmBadge(status: SrmStatus, prefix = "SRM: "): HTMLElement {
  return h("span", { class: `badge badge-srm-${status}` }, `${prefix}${SRM_LABEL[status]}`);
}

/** Runs `tasks` at most `limit` at a time (the list asks for results of many experiments). */
export async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
