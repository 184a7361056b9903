import type { Comparison, ExperimentResults, MetricResults } from "../../../client";
import { swatch } from "../../charts";
import { type Child, h, uid } from "../../dom";
import {
  type AnalysisMethod,
  confidence,
  count,
  DECISION_LABEL,
  difference,
  goalsFirst,
  type Lift,
  lift,
  metricMean,
  pValue,
} from "../../format";
import { columnHeads, scrollingTable } from "../../view";
import { type Measured, RESULTS_WORDS, type Subject } from "./subject";

type Analysis = ExperimentResults["analysis"];

/** The two methods, as the switch names them and one line explains them. */
const METHODS: ReadonlyArray<{ method: AnalysisMethod; label: string; line: string }> = [
  {
    method: "sequential",
    label: "Sequential",
    line: "valid however often you look, so the results can be read every day; wider intervals.",
  },
  {
    method: "fixed",
    label: "Fixed",
    line: "valid only if you look once, at a sample size planned in advance; narrower intervals and a p-value.",
  },
];

/**
 * The Results panel's Metrics part: the choice of method, a warning when the split of
 * enrolments cannot be trusted, then each metric (goals first, then guardrails) with each
 * variant's actors and mean and each variant's lift over the baseline, its interval drawn
 * across a zero line, and the decision in words. Without metrics, how to add them. A
 * holdout's are the same for its arms: the lift of `exposed` over `held_out`.
 * @param choose hears the operator choose another method (the region reads the results again with it)
 */
export function metricsPart(
  results: Measured,
  subject: Subject,
  choose: (method: AnalysisMethod) => void,
): HTMLElement {
  const titleId = uid("metrics-title");
  const title = h("h3", { id: titleId }, "Metrics");
  const section = (...children: Child[]) => h("section", { class: "metrics", "aria-labelledby": titleId }, ...children);
  if (results.metrics.length === 0) return section(title, noMetrics(subject));
  const { analysis } = results;
  const notes = METHODS.map(() => uid("method-note"));
  return section(
    h("div", { class: "metrics-header" }, title, methodSwitch(analysis.method, notes, choose)),
    methodNotes(analysis, notes),
    analysis.trustworthy ? null : untrustworthy(subject.kind),
    goalsFirst(results.metrics).map((metric) => metricBlock(metric, analysis, subject.kind)),
  );
}

/** A line on each method (ids `notes`, which the switch's buttons point at), and how decisions are made. */
function methodNotes(analysis: Analysis, notes: readonly string[]): HTMLElement {
  return h(
    "ul",
    { class: "method-notes hint" },
    METHODS.map(({ method, label, line }, i) =>
      h(
        "li",
        { id: notes[i], class: method === analysis.method ? "method-chosen" : null },
        h("strong", null, label),
        `: ${line}`,
      ),
    ),
    h(
      "li",
      null,
      `Intervals are ${confidence(analysis.alpha)}. A decision rests on the difference's interval: Better or Worse once it excludes 0.`,
    ),
  );
}

/** The SRM check says mismatch: the arms differ by more than chance, so no comparison holds. */
function untrustworthy(kind: Subject["kind"]): HTMLElement {
  const { part, units, split } = RESULTS_WORDS[kind];
  return h(
    "p",
    { class: "notice notice-warn" },
    h("strong", null, "Do not trust these comparisons. "),
    `The split of ${units} does not match ${split} (the SRM mismatch above), so the ${part}s' actors differ by more than chance: find the cause first.`,
  );
}

function noMetrics(subject: Subject): HTMLElement {
  const metrics = h("code", null, '"metrics": [{"name": "purchase", "kind": "conversion"}]');
  const track = ["then send each actor's events to ", h("code", null, "POST /v1/track")];
  if (subject.kind === "holdout") {
    return h(
      "p",
      { class: "hint" },
      "No metrics are defined. Add them to the holdout's definition (",
      metrics,
      ` in PUT /v1/admin/holdouts/${subject.name}), `,
      track,
      ": each metric's lift of exposed over held_out then shows here.",
    );
  }
  return h(
    "p",
    { class: "hint" },
    "No metrics are defined. Add them to the definition (",
    metrics,
    ` in PUT /v1/admin/experiments/${subject.name}, or `,
    h("code", null, "expctl create --metric purchase:conversion"),
    "), ",
    track,
    ": each metric's lift over the baseline then shows here.",
  );
}

/** Why some of a metric's events were not counted, for an experiment or a holdout. */
const UNATTRIBUTED: Record<Subject["kind"], string> = {
  experiment: "sent by actors not in this experiment (or overridden), or before the actor enrolled.",
  holdout: "sent by actors that met no member experiment, or before they first met one.",
};

/** Sequential or Fixed, as two radio buttons drawn as one switch, each described by its line. */
function methodSwitch(
  chosen: AnalysisMethod,
  notes: readonly string[],
  choose: (method: AnalysisMethod) => void,
): HTMLElement {
  const name = uid("analysis-method");
  return h(
    "fieldset",
    { class: "segmented" },
    h("legend", { class: "visually-hidden" }, "Analysis method"),
    METHODS.map(({ method, label }, i) => {
      const id = uid("analysis-method-choice");
      return h(
        "span",
        { class: "segment" },
        h("input", {
          type: "radio",
          name,
          id,
          value: method,
          checked: method === chosen,
          "aria-describedby": notes[i],
          on: { change: () => choose(method) },
        }),
        h("label", { for: id }, label),
      );
    }),
  );
}

function metricBlock(metric: MetricResults, analysis: Analysis, kind: Subject["kind"]): HTMLElement {
  const titleId = uid("metric-title");
  const { unattributed } = metric;
  return h(
    "section",
    { class: "metric", "aria-labelledby": titleId },
    h(
      "div",
      { class: "metric-header" },
      h(
        "h4",
        { id: titleId },
        metric.name,
        metric.role === "guardrail" ? [" ", h("span", { class: "badge badge-guardrail" }, "guardrail")] : null,
      ),
      h(
        "span",
        { class: "muted" },
        `${metric.kind} of `,
        h("code", null, metric.event),
        `, ${metric.direction === "increase" ? "higher" : "lower"} is better`,
      ),
    ),
    metricTable(metric, analysis, kind),
    unattributed > 0
      ? h(
          "p",
          { class: "hint" },
          `${count(unattributed)} ${metric.event} ${unattributed === 1 ? "event" : "events"} not counted here: ${UNATTRIBUTED[kind]}`,
        )
      : null,
  );
}

/**
 * A row per variant: actors, mean, and (past the baseline) the lift with its interval, the
 * decision and, for the fixed method, the p-value. Where it is narrow, each row is a card
 * (styles.css); narrower still, the table scrolls in its box.
 */
function metricTable(metric: MetricResults, analysis: Analysis, kind: Subject["kind"]): HTMLElement {
  const { part } = RESULTS_WORDS[kind];
  const fixed = analysis.method === "fixed";
  const comparisons = new Map(metric.comparisons.map((c) => [c.variant, c]));
  const lifts = new Map(metric.comparisons.map((c) => [c.variant, lift(c, metric.kind)]));
  const scale = liftScale([...lifts.values()]);
  const baseline = metric.comparisons[0]?.baseline ?? metric.variants[0]?.name ?? "baseline";
  const heads = {
    n: "Actors",
    mean: metric.kind === "conversion" ? "Conversion rate" : "Mean per actor",
    lift: `Lift vs ${baseline} (${confidence(analysis.alpha)} interval)`,
    decision: "Decision",
    p: "p-value",
  };
  return scrollingTable(
    { caption: `${metric.name} by ${part}`, class: `data metric-table${fixed ? " metric-table-fixed" : ""}` },
    columnHeads(
      h("th", { scope: "col", class: "variant-head" }, kind === "experiment" ? "Variant" : "Arm"),
      h("th", { scope: "col", class: "numeric-head n-head" }, heads.n),
      h("th", { scope: "col", class: "numeric-head mean-head" }, heads.mean),
      h("th", { scope: "col", class: "lift-head" }, heads.lift),
      h("th", { scope: "col", class: "decision-head" }, heads.decision),
      fixed ? h("th", { scope: "col", class: "numeric-head p-head" }, heads.p) : null,
    ),
    h(
      "tbody",
      null,
      metric.variants.map((variant, i) => {
        const comparison = comparisons.get(variant.name);
        const shown = lifts.get(variant.name) ?? null;
        return h(
          "tr",
          null,
          h("th", { scope: "row" }, swatch(i), variant.name),
          h("td", { class: "numeric n-cell", "data-label": heads.n }, count(variant.n)),
          h("td", { class: "numeric mean-cell", "data-label": heads.mean }, metricMean(metric.kind, variant.mean)),
          comparison === undefined
            ? h("td", { class: "lift-cell", "data-label": heads.lift }, h("span", { class: "muted" }, "baseline"))
            : liftCell(comparison, shown, scale, heads.lift, metric.kind),
          comparison === undefined ? emptyCell(heads.decision) : decisionCell(comparison),
          fixed ? pCell(comparison, heads.p) : null,
        );
      }),
    ),
  );
}

/** A cell with nothing to say (the baseline's decision): a dash, left out where rows are cards. */
function emptyCell(label: string): HTMLElement {
  return h("td", { class: "empty-cell", "data-label": label }, h("span", { class: "muted" }, "—"));
}

function pCell(comparison: Comparison | undefined, label: string): HTMLElement {
  const p = comparison?.p_value ?? null;
  return p === null ? emptyCell(label) : h("td", { class: "numeric p-cell", "data-label": label }, pValue(p));
}

function decisionCell(comparison: Comparison): HTMLElement {
  const { decision } = comparison;
  return h(
    "td",
    { class: "decision-cell" },
    h("span", { class: `badge decision decision-${decision}` }, DECISION_LABEL[decision]),
  );
}

/** The difference of means under a relative lift: what the decision rests on. */
function differenceNote(comparison: Comparison, kind: MetricResults["kind"]): HTMLElement | null {
  const shown = difference(comparison, kind);
  return shown === null ? null : h("span", { class: "lift-note" }, `Difference ${shown.text}`);
}

function liftCell(
  comparison: Comparison,
  shown: Lift | null,
  scale: number,
  label: string,
  kind: MetricResults["kind"],
): HTMLElement {
  if (shown === null) {
    return h("td", { class: "lift-cell", "data-label": label }, h("span", { class: "muted" }, "—"));
  }
  return h(
    "td",
    { class: "lift-cell", "data-label": label },
    h(
      "span",
      { class: "lift-text" },
      h("strong", null, shown.estimateText),
      " ",
      h("span", { class: "muted" }, `(${shown.intervalText})`),
    ),
    liftBar(shown, scale, comparison.decision),
    shown.measure === "absolute"
      ? h("span", { class: "lift-note" }, `A difference, not a lift: ${comparison.baseline}'s mean is 0.`)
      : differenceNote(comparison, kind),
  );
}

/** Half the width of every bar of a metric: a little more than its widest interval's reach from 0. */
function liftScale(lifts: readonly (Lift | null)[]): number {
  const reach = Math.max(0, ...lifts.flatMap((l) => (l === null ? [] : [Math.abs(l.ci[0]), Math.abs(l.ci[1])])));
  return reach > 0 ? reach * 1.1 : 1;
}

/**
 * The interval as a horizontal bar across a zero line in the middle, the estimate a dot on
 * it, coloured by the decision. Hidden from screen readers: the text beside it says the
 * same in numbers.
 */
function liftBar(shown: Lift, scale: number, decision: Comparison["decision"]): HTMLElement {
  const at = (value: number) => `${50 + (value / scale) * 50}%`;
  const part = (name: string, left: string, width?: string) => {
    const element = h("span", { class: name });
    // Through the CSSOM: the CSP forbids style attributes in markup, not this.
    element.style.left = left;
    if (width !== undefined) element.style.width = width;
    return element;
  };
  const [low, high] = shown.ci;
  return h(
    "span",
    { class: `lift-bar lift-${decision}`, "aria-hidden": "true" },
    part("lift-zero", "50%"),
    part("lift-range", at(low), `${((high - low) / scale) * 50}%`),
    part("lift-point", at(shown.estimate)),
  );
}
