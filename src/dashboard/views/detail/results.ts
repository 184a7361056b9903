import { type ExperimentConfig, type ExperimentResults, winnerInForce } from "../../../client";
import { type DailyMeasure, dailyChart, swatch } from "../../charts";
import { h, uid } from "../../dom";
import { type AnalysisMethod, count, percent, pValue, utc } from "../../format";
import { columnHeads, scrollingTable, srmBadge, type ViewContext } from "../../view";
import { metricsPart } from "./metrics";
import { failure, type Loaded, panel, settle } from "./parts";

const SRM_EXPLANATION: Record<ExperimentResults["srm"]["status"], string> = {
  ok: "The split of enrolments matches the weights.",
  mismatch:
    "The split of enrolments differs from the weights more than chance allows: look for a cause (a redirect, a bot filter, logging) before reading the results.",
  insufficient_data: "Too few enrolments to test the split yet (at least 100, and 5 expected per variant).",
};

/**
 * The Results panel: the SRM status, enrolments and exposures by variant, the metrics, and
 * the daily chart. It keeps what the chart counts and the method the metrics are analysed
 * with when the page reads everything again; another method reads the results again and
 * shows them in place.
 */
export class ResultsRegion {
  /** What the daily chart counts (enrolments at first: the split the SRM check reads). */
  #measure: DailyMeasure = "enrolled";
  #method: AnalysisMethod;
  readonly #onMethod: ((method: AnalysisMethod) => void) | undefined;
  /** The panel shown, which a new method's results replace. */
  #element: HTMLElement | null = null;
  /** Each render's number: the answer of an older read never replaces a newer panel. */
  #generation = 0;

  /**
   * @param readResults reads the results, analysed with `method`
   * @param options.method the method to read with first (sequential unless given)
   * @param options.onMethod hears the operator choose another method
   */
  constructor(
    private readonly ctx: ViewContext,
    private readonly readResults: (method: AnalysisMethod) => Promise<ExperimentResults>,
    options: { method?: AnalysisMethod; onMethod?: (method: AnalysisMethod) => void } = {},
  ) {
    this.#method = options.method ?? "sequential";
    this.#onMethod = options.onMethod;
  }

  /** The results, analysed with the method chosen last. */
  read(): Promise<ExperimentResults> {
    return this.readResults(this.#method);
  }

  render(results: Loaded<ExperimentResults>, config: ExperimentConfig): HTMLElement {
    this.#generation += 1;
    this.#element = results.ok
      ? this.#panel(results.value, config)
      : panel("Results", { wide: true }, failure(this.ctx, results.error));
    return this.#element;
  }

  #panel(results: ExperimentResults, config: ExperimentConfig): HTMLElement {
    const chartSlot = h("div");
    return panel(
      "Results",
      { wide: true },
      srmSummary(results.srm),
      resultsTable(results, winnerInForce(config)),
      metricsPart(results, (method) => void this.#choose(method, config)),
      h(
        "div",
        { class: "chart-header" },
        h("h3", null, "Per day"),
        measureChoice(chartSlot, results, this.#measure, (measure) => {
          this.#measure = measure;
        }),
      ),
      chartSlot,
      h(
        "p",
        { class: "hint" },
        `Counted up to ${utc(results.as_of_secs)}. Counts follow assignments by about a second, and events by a few; Refresh reads them again.`,
      ),
    );
  }

  /**
   * Reads the results again with `method` and puts the new panel in place of the old one,
   * focus on the same switch, so the keyboard and a screen reader carry on from there.
   */
  async #choose(method: AnalysisMethod, config: ExperimentConfig): Promise<void> {
    this.#method = method;
    this.#onMethod?.(method);
    const generation = ++this.#generation;
    const shown = this.#element;
    shown?.setAttribute("aria-busy", "true");
    const results = await settle(this.read());
    if (generation !== this.#generation || shown === null || !shown.isConnected) return;
    const next = this.render(results, config);
    shown.replaceWith(next);
    next.querySelector<HTMLInputElement>(`.metrics input[type="radio"][value="${method}"]`)?.focus();
  }
}

function srmSummary(srm: ExperimentResults["srm"]): HTMLElement {
  const statistics =
    srm.statistic !== null && srm.p_value !== null
      ? `χ² = ${srm.statistic.toFixed(2)}, df = ${srm.df}, ${pEquals(srm.p_value)} (mismatch below ${srm.threshold})`
      : null;
  return h(
    "div",
    { class: `srm srm-${srm.status}` },
    srmBadge(srm.status),
    h("span", null, SRM_EXPLANATION[srm.status]),
    statistics ? h("span", { class: "muted srm-stats" }, statistics) : null,
  );
}

/** `p = 0.47`, or `p < 0.0001` (not `p = < 0.0001`). */
function pEquals(p: number): string {
  const text = pValue(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}

/** Fits a 390 px phone (styles.css); narrower, it scrolls sideways in its box. */
function resultsTable(results: ExperimentResults, winner: string | null): HTMLElement {
  const totalEnrolled = results.variants.reduce((sum, v) => sum + v.enrolled, 0);
  const totalExposures = results.variants.reduce((sum, v) => sum + v.exposures, 0);
  return scrollingTable(
    { caption: "Enrolments and exposures by variant", class: "data results" },
    columnHeads(
      h("th", { scope: "col" }, "Variant"),
      ["Expected share", "Enrolled", "Observed share", "Exposures"].map((label) =>
        h("th", { scope: "col", class: "numeric-head" }, label),
      ),
    ),
    h(
      "tbody",
      null,
      results.variants.map((v, i) =>
        h(
          "tr",
          null,
          h(
            "th",
            { scope: "row" },
            swatch(i),
            v.name,
            winner === v.name ? h("span", { class: "tag" }, "winner") : null,
          ),
          numbers(
            percent(v.expected_share),
            count(v.enrolled),
            v.observed_share === null ? "—" : percent(v.observed_share),
            count(v.exposures),
          ),
        ),
      ),
    ),
    h(
      "tfoot",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "row" }, "Total"),
        numbers("100%", count(totalEnrolled), totalEnrolled === 0 ? "—" : "100%", count(totalExposures)),
      ),
    ),
  );
}

/** A row's number cells. */
function numbers(...cells: string[]): HTMLElement[] {
  return cells.map((cell) => h("td", { class: "numeric" }, cell));
}

/**
 * The daily chart's choice of what to count, drawing the chart of `chosen` into `slot`
 * now and another on every change, which `onChange` hears. Drawn for about the width the
 * panel gets (the page is at most 1,200 px wide, less its and the panel's padding), so
 * that its labels keep their size, phones included.
 */
function measureChoice(
  slot: HTMLElement,
  results: ExperimentResults,
  chosen: DailyMeasure,
  onChange: (measure: DailyMeasure) => void,
): HTMLElement {
  const width = Math.max(300, Math.min(window.innerWidth, 1200) - 82);
  const draw = (measure: DailyMeasure) => slot.replaceChildren(dailyChart(results, { width, measure }));
  const name = uid("daily-measure");
  const options: Array<[DailyMeasure, string]> = [
    ["enrolled", "Enrolments"],
    ["exposures", "Exposures"],
  ];
  draw(chosen);
  return h(
    "fieldset",
    { class: "segmented" },
    h("legend", { class: "visually-hidden" }, "Count per day"),
    options.map(([measure, label]) => {
      const id = uid("daily-measure-choice");
      return h(
        "span",
        { class: "segment" },
        h("input", {
          type: "radio",
          name,
          id,
          value: measure,
          checked: measure === chosen,
          on: {
            change: () => {
              onChange(measure);
              draw(measure);
            },
          },
        }),
        h("label", { for: id }, label),
      );
    }),
  );
}
