import { h } from "../dom";
import { coverage } from "../format";
import { type HoldoutEntry, holdoutApi } from "../holdout-api";
import { experimentHash, holdoutHash } from "../links";
import {
  canWrite,
  columnHeads,
  createButton,
  refreshButton,
  scrollingTable,
  showDone,
  showError,
  type ViewContext,
} from "../view";
import { holdoutDialog } from "./holdout-dialog";

/** Words for the list's next render (a holdout deleted on its own page, which then goes away). */
let pending: string | null = null;

/** Shows `text` above the list of holdouts the next time it renders. */
export function tellHoldoutsList(text: string): void {
  pending = text;
}

/**
 * Every holdout in a table: its name (a link to its page), the share it holds out, its
 * description, and its members, each a link to the experiment. A write token may create
 * one (the "New holdout" dialog).
 */
export async function holdoutsView(ctx: ViewContext): Promise<HTMLElement> {
  const notices = h("div", { class: "notices", "aria-live": "polite" });
  const title = h("h1", { id: "view-title", tabindex: "-1" }, "Holdouts");
  const view = h("section", { class: "view" });
  if (pending !== null) showDone(notices, pending);
  pending = null;

  let holdouts: HoldoutEntry[];
  try {
    holdouts = (await holdoutApi(ctx.session.client).list()).holdouts;
  } catch (error) {
    showError(ctx, notices, error);
    view.append(h("header", { class: "view-header" }, title), notices);
    return view;
  }

  const refresh = refreshButton(ctx);
  const create = createButton(ctx, "New holdout", () => holdoutDialog(ctx), holdoutHash);
  const noun = holdouts.length === 1 ? "holdout" : "holdouts";
  view.append(
    h(
      "header",
      { class: "view-header" },
      h("div", null, title, h("p", { class: "muted" }, `${holdouts.length} ${noun}`)),
      h("div", { class: "toolbar" }, refresh, create),
    ),
    h(
      "p",
      { class: "hint intro" },
      "A holdout keeps a share of actors out of every experiment that joins it (its members): they get each member's first variant. Its results compare the actors exposed to the members with those held out, to measure what the experiments add up to.",
    ),
    notices,
    holdouts.length === 0 ? empty(ctx) : table(holdouts),
  );
  return view;
}

function empty(ctx: ViewContext): HTMLElement {
  return h(
    "div",
    { class: "empty card" },
    h("p", null, "No holdouts yet."),
    h(
      "p",
      { class: "muted" },
      canWrite(ctx)
        ? "Create one with New holdout or the admin API (PUT /v1/admin/holdouts/{name}); an experiment joins it with holdout in its definition."
        : "Holdouts defined with the admin API (PUT /v1/admin/holdouts/{name}) show here.",
    ),
  );
}

function table(holdouts: readonly HoldoutEntry[]): HTMLElement {
  return scrollingTable(
    { caption: "Holdouts", class: "data holdouts", box: "card" },
    columnHeads(
      h("th", { scope: "col" }, "Holdout"),
      h("th", { scope: "col", class: "numeric-head" }, "Held out"),
      h("th", { scope: "col" }, "Description"),
      h("th", { scope: "col" }, "Members"),
    ),
    h(
      "tbody",
      null,
      holdouts.map((holdout) =>
        h(
          "tr",
          null,
          h(
            "td",
            { class: "name-cell" },
            h("a", { href: holdoutHash(holdout.name), class: "experiment-link" }, holdout.name),
          ),
          // `data-label` heads each cell where a narrow screen shows a row as a card.
          h("td", { class: "numeric", "data-label": "Held out" }, coverage(holdout.coverage)),
          h(
            "td",
            { class: "description-cell", "data-label": "Description" },
            holdout.description ?? h("span", { class: "muted" }, "—"),
          ),
          h("td", { class: "members-cell", "data-label": "Members" }, members(holdout.members)),
        ),
      ),
    ),
  );
}

/** The experiments that name the holdout, each a link to its page. */
function members(names: readonly string[]): HTMLElement {
  if (names.length === 0) return h("span", { class: "muted" }, "none yet");
  return h(
    "ul",
    { class: "member-list" },
    names.map((name) => h("li", null, h("a", { href: experimentHash(name) }, name))),
  );
}
