import type { HistoryResponse } from "../../../client";
import { type Child, h } from "../../dom";
import { AUTOMATIC_ACTORS, mutation, utc } from "../../format";
import { columnHeads, scrollingTable, type ViewContext } from "../../view";
import { failure, type Loaded, panel } from "./parts";

/** The history is read this many entries at a time ("Show the whole history" reads the rest). */
const HISTORY_PAGE = 100;

/**
 * The History panel: every change, newest first. It reads the first page of entries until
 * the operator asks for all of them, and keeps reading all from then on.
 */
export class HistoryRegion {
  /** How many entries the page reads (0: all). */
  #limit = HISTORY_PAGE;

  /** @param showAll reads the history again, at `limit` (the page reads everything again) */
  constructor(
    private readonly ctx: ViewContext,
    private readonly showAll: () => Promise<void>,
  ) {}

  get limit(): number {
    return this.#limit;
  }

  render(history: Loaded<HistoryResponse>): HTMLElement {
    if (!history.ok) return panel("History", { wide: true }, failure(this.ctx, history.error));
    const entries = history.value.history;
    const more = this.#limit !== 0 && entries.length >= this.#limit;
    return panel("History", { wide: true }, historyTable(entries), more ? this.#showAllButton() : null);
  }

  #showAllButton(): HTMLElement {
    const click = async () => {
      this.#limit = 0;
      await this.showAll();
    };
    return h("button", { type: "button", class: "button", on: { click } }, "Show the whole history");
  }
}

/** Changes as a table, newest first: when, what, by whom (an experiment's or a holdout's). */
export function historyTable(
  entries: readonly Pick<HistoryResponse["history"][number], "timestamp_secs" | "mutation" | "actor">[],
): HTMLElement {
  return scrollingTable(
    { caption: "History, newest first", class: "data history" },
    columnHeads(
      h("th", { scope: "col" }, "When"),
      h("th", { scope: "col" }, "Change"),
      h("th", { scope: "col" }, "By"),
    ),
    h(
      "tbody",
      null,
      entries.map((entry) =>
        h(
          "tr",
          null,
          h("td", { class: "nowrap" }, utc(entry.timestamp_secs)),
          h("td", null, mutation(entry.mutation)),
          h("td", null, actorCell(entry.actor)),
        ),
      ),
    ),
  );
}

/** Who made a change: an admin's name as it is, the Worker's own actors in words and marked automatic. */
function actorCell(actor: string | null): Child {
  if (actor === null) return h("span", { class: "muted" }, "—");
  const automatic = AUTOMATIC_ACTORS.get(actor);
  if (automatic === undefined) return actor;
  return [automatic, " ", h("span", { class: "badge badge-automatic" }, "automatic")];
}
