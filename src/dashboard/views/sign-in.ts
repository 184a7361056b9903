import { h, uid } from "../dom";
import { describeError, type Session, signIn } from "../session";
import { showAlert } from "../view";

/**
 * The token form. The token is checked with `GET /v1/admin/token` before it is kept,
 * and a refusal shows the API's own words (`a valid admin bearer token is required`).
 */
export function signInView(options: { message: string | null; onSignedIn: (session: Session) => void }): HTMLElement {
  const inputId = uid("token");
  const hintId = uid("token-hint");
  const input = h("input", {
    id: inputId,
    name: "token",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": hintId,
  });
  const button = h("button", { type: "submit", class: "button button-primary" }, "Save token");
  const errors = h("div", { class: "form-errors" });
  if (options.message !== null) showAlert(errors, options.message);

  const form = h(
    "form",
    {
      class: "card sign-in",
      "aria-labelledby": "view-title",
      on: {
        submit: async (event) => {
          event.preventDefault();
          const token = input.value.trim();
          if (token === "") {
            showAlert(errors, "Enter an admin token.");
            input.focus();
            return;
          }
          button.disabled = true;
          button.textContent = "Checking…";
          try {
            options.onSignedIn(await signIn(token));
          } catch (error) {
            showAlert(errors, describeError(error));
            input.select();
            input.focus();
          } finally {
            button.disabled = false;
            button.textContent = "Save token";
          }
        },
      },
    },
    h("h1", { id: "view-title", tabindex: "-1" }, "Sign in"),
    h(
      "p",
      { class: "muted" },
      "The dashboard works through the admin API with your token. A read token shows everything; a write token can also change experiments.",
    ),
    errors,
    h("label", { for: inputId }, "Admin token"),
    input,
    h(
      "p",
      { id: hintId, class: "hint" },
      "Kept in this browser tab only (session storage) and sent as a bearer token; closing the tab forgets it.",
    ),
    h("div", { class: "form-actions" }, button),
  );
  return h("section", { class: "view view-narrow" }, form);
}
