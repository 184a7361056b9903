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
