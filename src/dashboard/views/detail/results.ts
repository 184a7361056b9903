import type { ExperimentResults } from "../../../client";
import { type DailyMeasure, dailyChart, swatch } from "../../charts";
import { h, uid } from "../../dom";
import { type AnalysisMethod, count, percent, pValue, utc } from "../../format";
import { columnHeads, scrollingTable, srmBadge, type ViewContext } from "../../view";
import { metricsPart } from "./metrics";
import { failure, type Loaded, panel, settle } from "./parts";
import { type Measured, RESULTS_WORDS, type Subject } from "./subject";

function srmExplanation(status: Measured["srm"]["status"], kind: Subject["kind"]): string {
  const { part, units, split } = RESULTS_WORDS[kind];
  switch (status) {
    case "ok":
      return `The split of ${units} matches ${split}.`;
    case "mismatch":
      return `The split of ${units} differs from ${split} more than chance allows: look for a cause (a redirect, a bot filter, logging) before reading the results.`;
    case "insufficient_data":
      return `Too few ${units} to test the split yet (at least 100, and 5 expected per ${part}).`;
  }
}

/**
 * The Results panel: the SRM status, enrolments and exposures by variant, the metrics, and
 * the daily chart; for a holdout, its two arms' actors (an arm sees no exposure). It keeps
 * what the chart counts and the method the metrics are analysed with when the page reads
 * everything again; another method reads the results again and shows them in place.
 */
export class ResultsRegion<R extends Measured = ExperimentResults> {
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
    private readonly readResults: (method: AnalysisMethod) => Promise<R>,
    options: { method?: AnalysisMethod; onMethod?: (method: AnalysisMethod) => void } = {},
  ) {
    this.#method = options.method ?? "sequential";
    this.#onMethod = options.onMethod;
  }

  /** The results, analysed with the method chosen last. */
  read(): Promise<R> {
    return this.readResults(this.#method);
  }

  render(results: Loaded<R>, subject: Subject): HTMLElement {
    this.#generation += 1;
    this.#element = results.ok
      ? this.#panel(results.value, subject)
      : panel("Results", { wide: true }, failure(this.ctx, results.error));
    return this.#element;
  }

  #panel(results: R, subject: Subject): HTMLElement {
    const chartSlot = h("div");
    let choice: HTMLElement | null = null;
    if (subject.kind === "holdout") {
      // An arm sees no exposure: the chart counts actors only.
      chartSlot.replaceChildren(dailyChart(results, { width: chartWidth(), measure: "actors" }));
    } else {
      choice = measureChoice(chartSlot, results, this.#measure, (measure) => {
        this.#measure = measure;
      });
    }
    return panel(
      "Results",
      { wide: true },
      srmSummary(results.srm, subject.kind),
      resultsTable(results, subject),
      metricsPart(results, subject, (method) => void this.#choose(method, subject)),
      h("div", { class: "chart-header" }, h("h3", null, "Per day"), choice),
      chartSlot,
      h("p", { class: "hint" }, `Counted up to ${utc(results.as_of_secs)}. ${RESULTS_WORDS[subject.kind].lag}`),
    );
  }

  /**
   * Reads the results again with `method` and puts the new panel in place of the old one,
   * focus on the same switch, so the keyboard and a screen reader carry on from there.
   */
  async #choose(method: AnalysisMethod, subject: Subject): Promise<void> {
    this.#method = method;
    this.#onMethod?.(method);
    const generation = ++this.#generation;
    const shown = this.#element;
    shown?.setAttribute("aria-busy", "true");
    const results = await settle(this.read());
    if (generation !== this.#generation || shown === null || !shown.isConnected) return;
    const next = this.render(results, subject);
    shown.replaceWith(next);
    next.querySelector<HTMLInputElement>(`.metrics input[type="radio"][value="${method}"]`)?.focus();
  }
}

function srmSummary(srm: Measured["srm"], kind: Subject["kind"]): HTMLElement {
  const statistics =
    srm.statistic !== null && srm.p_value !== null
      ? `χ² = ${srm.statistic.toFixed(2)}, df = ${srm.df}, ${pEquals(srm.p_value)} (mismatch below ${srm.threshold})`
      : null;
  return h(
    "div",
    { class: `srm srm-${srm.status}` },
    srmBadge(srm.status),
    h("span", null, srmExplanation(srm.status, kind)),
    statistics ? h("span", { class: "muted srm-stats" }, statistics) : null,
  );
}

/** `p = 0.47`, or `p < 0.0001` (not `p = < 0.0001`). */
function pEquals(p: number): string {
  const text = pValue(p);
  return text.startsWith("<") ? `p ${text}` : `p = ${text}`;
}

/**
 * Fits a 390 px phone (styles.css); narrower, it scrolls sideways in its box. A holdout's
 * table has no Exposures column: an arm sees none.
 */
function resultsTable(results: Measured, subject: Subject): HTMLElement {
  const words = RESULTS_WORDS[subject.kind];
  const exposures = subject.kind === "experiment";
  const totalEnrolled = results.variants.reduce((sum, v) => sum + v.enrolled, 0);
  const totalExposures = results.variants.reduce((sum, v) => sum + v.exposures, 0);
  const heads = ["Expected share", words.enrolled, "Observed share", ...(exposures ? ["Exposures"] : [])];
  return scrollingTable(
    { caption: words.caption, class: exposures ? "data results" : "data results results-arms" },
    columnHeads(
      h("th", { scope: "col" }, subject.kind === "experiment" ? "Variant" : "Arm"),
      heads.map((label) => h("th", { scope: "col", class: "numeric-head" }, label)),
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
            subject.winner === v.name ? h("span", { class: "tag" }, "winner") : null,
          ),
          numbers(
            percent(v.expected_share),
            count(v.enrolled),
            v.observed_share === null ? "—" : percent(v.observed_share),
            ...(exposures ? [count(v.exposures)] : []),
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
        numbers(
          "100%",
          count(totalEnrolled),
          totalEnrolled === 0 ? "—" : "100%",
          ...(exposures ? [count(totalExposures)] : []),
        ),
      ),
    ),
  );
}

/** A row's number cells. */
function numbers(...cells: string[]): HTMLElement[] {
  return cells.map((cell) => h("td", { class: "numeric" }, cell));
}

/**
 * The daily chart's width: about the width the panel gets (the page is at most 1,200 px
 * wide, less its and the panel's padding), so that its labels keep their size, phones
 * included.
 */
function chartWidth(): number {
  return Math.max(300, Math.min(window.innerWidth, 1200) - 82);
}

/**
 * The daily chart's choice of what to count, drawing the chart of `chosen` into `slot`
 * now and another on every change, which `onChange` hears.
 */
function measureChoice(
  slot: HTMLElement,
  results: Measured,
  chosen: DailyMeasure,
  onChange: (measure: DailyMeasure) => void,
): HTMLElement {
  const width = chartWidth();
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
