import { type Child, h, uid } from "./dom";
import { describeError } from "./session";
import { clearFieldError, showAlert, showFieldError } from "./view";

/**
 * What `confirm` throws to refuse one field before anything is sent: the dialog shows
 * `message` on `field` and moves focus there.
 */
export class FieldError extends Error {
  constructor(
    readonly field: HTMLElement,
    message: string,
  ) {
    super(message);
  }
}

export interface ConfirmOptions {
  title: string;
  /** What the action does, and any fields it needs (read by `confirm` through the form). */
  body: Child;
  /** The button that commits; styled as dangerous for what cannot be undone. */
  confirmLabel: string;
  danger?: boolean;
  /**
   * Does the action. A rejection keeps the dialog open with the error's `detail` (a
   * `FieldError` on its field); resolving closes it.
   */
  confirm(form: HTMLFormElement): Promise<void>;
}

/**
 * A modal `<dialog>`: the browser traps focus in it, makes the page behind it inert and
 * closes it on Escape; focus goes back to what opened it. Resolves `true` once the
 * action succeeded, `false` when the operator cancelled.
 */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uid("dialog-title");
  const errors = h("div", { class: "form-errors" });
  const confirmButton = h(
    "button",
    { type: "submit", class: options.danger ? "button button-danger" : "button button-primary" },
    options.confirmLabel,
  );
  const cancel = h("button", { type: "button", class: "button" }, "Cancel");
  const form = h(
    "form",
    { class: "dialog-form" },
    h("h2", { id: titleId }, options.title),
    options.body,
    errors,
    h("div", { class: "form-actions" }, cancel, confirmButton),
  );
  const dialog = h("dialog", { class: "dialog", "aria-labelledby": titleId }, form);

  return new Promise((resolve) => {
    let succeeded = false;
    let refused: HTMLElement | null = null;
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      opener?.focus();
      resolve(succeeded);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      confirmButton.disabled = true;
      cancel.disabled = true;
      if (refused !== null) clearFieldError(errors, refused);
      refused = null;
      try {
        await options.confirm(form);
        succeeded = true;
        dialog.close();
      } catch (error) {
        if (error instanceof FieldError) {
          refused = error.field;
          showFieldError(errors, error.field, error.message, true);
        } else {
          showAlert(errors, describeError(error));
        }
      } finally {
        confirmButton.disabled = false;
        cancel.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export interface SecretOptions {
  title: string;
  /** What the secret is for, above the warning. */
  intro: Child;
  /** What the field holding it is called (`Signing secret`). */
  label: string;
  secret: string;
}

/**
 * Shows a secret the API answers only once: in a read-only field, with a Copy button and
 * the warning that it cannot be shown again. Resolves when the operator closes the dialog;
 * the dialog then leaves the page, the secret with it, and nothing keeps it.
 */
export function secretDialog(options: SecretOptions): Promise<void> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uid("dialog-title");
  const warningId = uid("secret-warning");
  const field = h("input", {
    id: uid("secret"),
    class: "secret-value",
    readonly: true,
    value: options.secret,
    autocomplete: "off",
    spellcheck: "false",
  });
  const status = h("p", { class: "secret-status", role: "status" });
  const copy = h("button", { type: "button", class: "button button-primary", autofocus: true }, "Copy");
  const close = h("button", { type: "button", class: "button" }, "Done");
  const dialog = h(
    "dialog",
    { class: "dialog", "aria-labelledby": titleId, "aria-describedby": warningId },
    h(
      "div",
      { class: "dialog-form" },
      h("h2", { id: titleId }, options.title),
      options.intro,
      h(
        "p",
        { id: warningId, class: "notice notice-warn" },
        h("strong", null, "Copy it now: it is shown only this once."),
        " It is not stored in the page, and no later answer of the API shows it; lost, it can only be replaced (Rotate secret).",
      ),
      h("div", { class: "field" }, h("label", { for: field.id }, options.label), field),
      h("div", { class: "form-actions" }, status, copy, close),
    ),
  );
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(options.secret);
      status.textContent = "Copied to the clipboard.";
    } catch {
      // No clipboard here (a page not served over HTTPS, a browser that refuses): select it for the keyboard.
      field.focus();
      field.select();
      status.textContent = "The browser would not copy it: it is selected, press Ctrl+C (⌘C on a Mac).";
    }
  });
  close.addEventListener("click", () => dialog.close());
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      dialog.remove();
      opener?.focus();
      resolve();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
