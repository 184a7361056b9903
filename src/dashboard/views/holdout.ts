import type { ExperimentConfig } from "../../client";
import { hasRun } from "../../core/lifecycle";
import { confirmDialog } from "../dialog";
import { type Child, h } from "../dom";
import { type AnalysisMethod, analysisMethod, count, coverage, utc } from "../format";
import { type Holdout, type HoldoutHistory, type HoldoutResults, holdoutApi } from "../holdout-api";
import { experimentHash, HOLDOUTS_HASH, holdoutHash } from "../links";
import { isUnauthorized } from "../session";
import { canWrite, showDone, showError, stateBadge, type ViewContext } from "../view";
import { metricsList } from "./detail/configuration";
import { historyTable } from "./detail/history";
import { failure, type Loaded, panel, settle } from "./detail/parts";
import { ResultsRegion } from "./detail/results";
import { holdoutDialog } from "./holdout-dialog";
import { tellHoldoutsList } from "./holdouts";

/**
 * One holdout: its results (the two arms' actors against the shares its coverage expects,
 * the SRM check, and its metrics' lift of `exposed` over `held_out`, read as an
 * experiment's are, Sequential/Fixed switch included), its definition, its members and
 * its history; for a write token, Edit and Delete. `?method=fixed` in the address
 * analyses the metrics with the fixed method.
 */
export async function holdoutView(ctx: ViewContext, name: string, query: URLSearchParams): Promise<HTMLElement> {
  const page = new HoldoutPage(ctx, name, analysisMethod(query.get("method")) ?? "sequential");
  await page.refresh();
  return page.element;
}

interface Data {
  holdout: Holdout;
  results: Loaded<HoldoutResults>;
  history: Loaded<HoldoutHistory>;
  /** The experiments that name it, with their states. */
  members: Loaded<ExperimentConfig[]>;
}

class HoldoutPage {
  readonly #notices = h("div", { class: "notices", "aria-live": "polite" });
  readonly #header = h("header", { class: "view-header view-header-detail" });
  readonly #body = h("div", { class: "detail-grid" });
  readonly element = h(
    "section",
    { class: "view" },
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("a", { href: HOLDOUTS_HASH }, "← All holdouts")),
    this.#header,
    this.#notices,
    this.#body,
  );
  readonly #api: ReturnType<typeof holdoutApi>;
  readonly #results: ResultsRegion<HoldoutResults>;

  constructor(
    private readonly ctx: ViewContext,
    private readonly name: string,
    method: AnalysisMethod,
  ) {
    const api = holdoutApi(ctx.session.client);
    this.#api = api;
    this.#results = new ResultsRegion(ctx, (chosen) => api.results(name, chosen), {
      method,
      // The address follows the method without a new history entry or a reload, as on an experiment's page.
      onMethod: (chosen) => {
        const query = chosen === "sequential" ? "" : `?method=${chosen}`;
        history.replaceState(null, "", `${holdoutHash(name)}${query}`);
      },
    });
  }

  async refresh(options: { clearNotices?: boolean } = {}): Promise<void> {
    if (options.clearNotices) this.#notices.replaceChildren();
    const data = await this.#load();
    if (data === null) return;
    this.#header.replaceChildren(...this.#headerParts(data.holdout));
    this.#body.replaceChildren(
      this.#results.render(data.results, { kind: "holdout", name: this.name }),
      definitionPanel(data.holdout, data.members),
      membersPanel(this.ctx, data.members),
      data.history.ok
        ? panel("History", { wide: true }, historyTable(data.history.value.history))
        : panel("History", { wide: true }, failure(this.ctx, data.history.error)),
    );
  }

  /** Reads everything; `null` (the error shown) without the holdout, or once the API refused the token. */
  async #load(): Promise<Data | null> {
    const client = this.ctx.session.client;
    const [holdout, results, history, members] = await Promise.all([
      settle(this.#api.get(this.name)),
      settle(this.#results.read()),
      settle(this.#api.history(this.name)),
      settle(client.list().then(({ experiments }) => experiments.filter((e) => e.holdout === this.name))),
    ]);
    if (!holdout.ok) {
      this.#header.replaceChildren(h("h1", { id: "view-title", tabindex: "-1" }, this.name));
      this.#body.replaceChildren();
      showError(this.ctx, this.#notices, holdout.error);
      return null;
    }
    for (const part of [results, history, members]) {
      if (!part.ok && isUnauthorized(part.error)) {
        showError(this.ctx, this.#notices, part.error);
        return null;
      }
    }
    return { holdout: holdout.value, results, history, members };
  }

  #headerParts(holdout: Holdout): HTMLElement[] {
    const refresh = h(
      "button",
      { type: "button", class: "button", on: { click: () => void this.refresh({ clearNotices: true }) } },
      "Refresh",
    );
    const actions = canWrite(this.ctx)
      ? h(
          "div",
          { class: "actions", role: "group", "aria-label": "Actions" },
          h("button", { type: "button", class: "button", on: { click: () => void this.#edit(holdout) } }, "Edit"),
          h(
            "button",
            { type: "button", class: "button button-danger-outline", on: { click: () => void this.#delete() } },
            "Delete",
          ),
          refresh,
        )
      : h(
          "div",
          { class: "actions" },
          h("p", { class: "muted read-only" }, `Read-only token (${this.ctx.session.identity.name}): no actions.`),
          refresh,
        );
    return [
      h(
        "div",
        { class: "title-row" },
        h("h1", { id: "view-title", tabindex: "-1" }, holdout.name),
        h("span", { class: "badge badge-holdout" }, `${coverage(holdout.coverage)} held out`),
      ),
      ...(holdout.description ? [h("p", { class: "description" }, holdout.description)] : []),
      actions,
    ];
  }

  async #edit(holdout: Holdout): Promise<void> {
    const saved = await holdoutDialog(this.ctx, holdout);
    if (saved !== null) await this.#changed(`Saved holdout ${saved}.`);
  }

  async #delete(): Promise<void> {
    const deleted = await confirmDialog({
      title: `Delete holdout ${this.name}?`,
      body: h(
        "p",
        null,
        "Its definition goes, and no actor is held out by it any more. The API refuses while an experiment that is not archived names it: archive it, or remove the holdout from its definition, first.",
      ),
      confirmLabel: "Delete",
      danger: true,
      confirm: () => this.#api.remove(this.name),
    });
    if (deleted) {
      tellHoldoutsList(`Deleted holdout ${this.name}.`);
      location.hash = HOLDOUTS_HASH;
    }
  }

  /** As on an experiment's page: reads everything again and says `done`, focus on the words if the control is gone. */
  async #changed(done: string): Promise<void> {
    await this.refresh();
    showDone(this.#notices, done);
    if (!this.element.contains(document.activeElement)) {
      const message = this.#notices.firstElementChild;
      if (message instanceof HTMLElement) {
        message.tabIndex = -1;
        message.focus({ preventScroll: true });
      }
    }
  }
}

/** What the holdout is: the share it holds out (and whether that can still change), its metrics, when it was made. */
function definitionPanel(holdout: Holdout, members: Loaded<ExperimentConfig[]>): HTMLElement {
  const row = (term: string, ...details: Child[]) => [h("dt", null, term), h("dd", null, details)];
  const muted = (text: string) => h("span", { class: "muted" }, text);
  const ran = members.ok ? members.value.find(hasRun) : undefined;
  return panel(
    "Definition",
    {},
    h(
      "dl",
      { class: "facts" },
      row(
        "Held out",
        `${coverage(holdout.coverage)} of the actors of every member`,
        muted(` (${count(holdout.coverage)} bp)`),
        ran === undefined ? null : h("span", { class: "line-note" }, `Fixed: ${ran.name} has run.`),
      ),
      row("Metrics", holdout.metrics.length === 0 ? muted("none") : metricsList(holdout.metrics)),
      row("Created", utc(holdout.created_at_secs)),
      row("Updated", utc(holdout.updated_at_secs)),
    ),
  );
}

/** The experiments that name the holdout, each a link with its state. */
function membersPanel(ctx: ViewContext, members: Loaded<ExperimentConfig[]>): HTMLElement {
  if (!members.ok) return panel("Members", {}, failure(ctx, members.error));
  const list = members.value;
  return panel(
    "Members",
    {},
    list.length === 0
      ? h(
          "p",
          { class: "muted" },
          "No experiment has joined it yet: an experiment joins with holdout in its definition.",
        )
      : h(
          "ul",
          { class: "conditions member-states" },
          list.map((member) =>
            h(
              "li",
              null,
              h("a", { href: experimentHash(member.name), class: "experiment-link" }, member.name),
              " ",
              stateBadge(member.state),
            ),
          ),
        ),
  );
}
