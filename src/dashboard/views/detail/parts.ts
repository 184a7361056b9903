import { type Child, h, uid } from "../../dom";
import { showError, showFieldError, type ViewContext } from "../../view";

/**
 * What the regions of an experiment's page share: what they may ask of the page, and
 * the pieces each of them builds (a panel, a failed part, a form with its error slot).
 */

/** One part of what the page reads: its value, or why it could not be read. */
export type Loaded<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Loaded<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** A change an operator asked for: the call that makes it, and the words that say it is done. */
export interface Change {
  run(): Promise<unknown>;
  done: string;
}

/** What a region of the page may ask of the page around it. */
export interface DetailPage {
  readonly ctx: ViewContext;
  /**
   * Reads everything again and shows it.
   * @param options.clearNotices take the page's messages away first (the Refresh button)
   */
  refresh(options?: { clearNotices?: boolean }): Promise<void>;
  /**
   * Makes `change`; its refusal shows in `errors` (next to the form that asked), else in
   * the page's notices. Once it is made, as `changed`.
   */
  act(change: Change, errors?: HTMLElement): Promise<void>;
  /** After a change: reads everything again and says `done`. */
  changed(done: string): Promise<void>;
}

/** A card of the page: a section named by its heading. */
export function panel(title: string, options: { wide?: boolean }, ...children: Child[]): HTMLElement {
  const titleId = uid("panel-title");
  return h(
    "section",
    { class: options.wide ? "card panel panel-wide" : "card panel", "aria-labelledby": titleId },
    h("h2", { id: titleId }, title),
    ...children,
  );
}

/** Why a part of the page could not be read, in its place. */
export function failure(ctx: ViewContext, error: unknown): HTMLElement {
  const slot = h("div");
  showError(ctx, slot, error);
  return slot;
}

export interface SubformOptions {
  title: string;
  hint?: string;
  /**
   * On submit: the change to make, or `null` when a field refused (the check then said
   * why, in `errors` or on the field). The change's refusal shows in `errors` too.
   */
  check(errors: HTMLElement): Change | null;
  /** Hears every edit of a field. */
  input?: () => void;
}

/** A small form of a panel (weights, coverage, an override): a heading, a hint, an error slot, then `fields`. */
export function subform(page: DetailPage, options: SubformOptions, ...fields: Child[]): HTMLFormElement {
  const titleId = uid("subform-title");
  const errors = h("div");
  return h(
    "form",
    {
      class: "subform",
      "aria-labelledby": titleId,
      on: {
        ...(options.input === undefined ? {} : { input: options.input }),
        submit: (event) => {
          event.preventDefault();
          const change = options.check(errors);
          if (change !== null) void page.act(change, errors);
        },
      },
    },
    h("h3", { id: titleId }, options.title),
    options.hint === undefined ? null : h("p", { class: "hint" }, options.hint),
    errors,
    ...fields,
  );
}

/** Refuses `field` with `problem` in the form's `errors` slot, and moves focus to it: nothing is sent. */
export function refuse(errors: HTMLElement, field: HTMLElement, problem: string): null {
  showFieldError(errors, field, problem, true);
  return null;
}
