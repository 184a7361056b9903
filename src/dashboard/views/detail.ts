import {
  type ExperimentConfig,
  type ExperimentResults,
  type HistoryResponse,
  type OverrideList,
  winnerInForce,
} from "../../client";
import { h } from "../dom";
import { type AnalysisMethod, analysisMethod } from "../format";
import { experimentHash } from "../links";
import { isUnauthorized } from "../session";
import { showDone, showError, type ViewContext } from "../view";
import { configurationSection } from "./detail/configuration";
import { headerParts } from "./detail/header";
import { HistoryRegion } from "./detail/history";
import { overridesSection } from "./detail/overrides";
import { type Change, type DetailPage, type Loaded, settle } from "./detail/parts";
import { ResultsRegion } from "./detail/results";

/**
 * One experiment: its config, results with the SRM status, the metrics and the daily
 * enrolments or exposures, overrides, history, and (for a write token) the actions. After
 * an action the page reads everything again, so what it shows is what the API now says.
 * `?method=fixed` in the address analyses the metrics with the fixed method.
 */
export async function detailView(ctx: ViewContext, name: string, query: URLSearchParams): Promise<HTMLElement> {
  const page = new ExperimentPage(ctx, name, analysisMethod(query.get("method")) ?? "sequential");
  await page.refresh();
  return page.element;
}

/** What the page reads: the config, which it cannot do without, and the parts each region shows (or says it could not read). */
interface Data {
  config: ExperimentConfig;
  results: Loaded<ExperimentResults>;
  history: Loaded<HistoryResponse>;
  overrides: Loaded<OverrideList>;
}

/**
 * The page around the regions: the header, the page's notices, and the panels (Results,
 * Configuration, Overrides, History), each built by its own module from what the page
 * read. The two that keep something between reads (what the chart counts, how much history
 * to read) are objects that last as long as the page.
 */
class ExperimentPage implements DetailPage {
  readonly #notices = h("div", { class: "notices", "aria-live": "polite" });
  readonly #header = h("header", { class: "view-header view-header-detail" });
  readonly #body = h("div", { class: "detail-grid" });
  readonly element = h(
    "section",
    { class: "view" },
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("a", { href: "#/" }, "← All experiments")),
    this.#header,
    this.#notices,
    this.#body,
  );
  readonly #results: ResultsRegion;
  readonly #history: HistoryRegion;

  constructor(
    readonly ctx: ViewContext,
    private readonly name: string,
    method: AnalysisMethod,
  ) {
    this.#results = new ResultsRegion(ctx, (chosen) => ctx.session.client.results(name, { method: chosen }), {
      method,
      // The address follows the method without a new history entry or a reload, as the list's filter does.
      onMethod: (chosen) => {
        const query = chosen === "sequential" ? "" : `?method=${chosen}`;
        history.replaceState(null, "", `${experimentHash(name)}${query}`);
      },
    });
    this.#history = new HistoryRegion(ctx, () => this.refresh());
  }

  async refresh(options: { clearNotices?: boolean } = {}): Promise<void> {
    if (options.clearNotices) this.#notices.replaceChildren();
    const data = await this.#load();
    if (data === null) return;
    this.#header.replaceChildren(...headerParts(this, data.config, data.results));
    this.#body.replaceChildren(
      this.#results.render(data.results, { kind: "experiment", name: this.name, winner: winnerInForce(data.config) }),
      configurationSection(this, data.config),
      overridesSection(this, data.config, data.overrides),
      this.#history.render(data.history),
    );
  }

  async act(change: Change, errors: HTMLElement = this.#notices): Promise<void> {
    try {
      await change.run();
    } catch (error) {
      showError(this.ctx, errors, error);
      return;
    }
    if (errors !== this.#notices) errors.replaceChildren();
    await this.changed(change.done);
  }

  /**
   * Shows the experiment as it now is and says what changed. The control that did it
   * may be gone from the rebuilt page; focus then moves to the message (without
   * scrolling), so the keyboard and a screen reader carry on from there.
   */
  async changed(done: string): Promise<void> {
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

  /** Reads everything; `null` (the error shown) without the config, or once the API refused the token. */
  async #load(): Promise<Data | null> {
    const client = this.ctx.session.client;
    const [config, results, history, overrides] = await Promise.all([
      settle(client.get(this.name)),
      settle(this.#results.read()),
      settle(client.history(this.name, { limit: this.#history.limit })),
      settle(client.overrides(this.name)),
    ]);
    if (!config.ok) {
      this.#header.replaceChildren(h("h1", { id: "view-title", tabindex: "-1" }, this.name));
      this.#body.replaceChildren();
      showError(this.ctx, this.#notices, config.error);
      return null;
    }
    // One 401 is enough to know the token is gone; the sections need not each say so.
    for (const part of [results, history, overrides]) {
      if (!part.ok && isUnauthorized(part.error)) {
        showError(this.ctx, this.#notices, part.error);
        return null;
      }
    }
    return { config: config.value, results, history, overrides };
  }
}
