import type { ExperimentResults, Variant } from "../client";
import { h, svg, uid } from "./dom";
import { count, niceCeiling, percent, variantColour, weightShares } from "./format";

/**
 * The weights as one horizontal bar, a segment per variant, with a legend that says the
 * same in words (the bar itself is an image with that text as its name).
 */
export function weightBar(variants: readonly Variant[], options: { legend?: boolean } = {}): HTMLElement {
  const shares = weightShares(variants);
  const words = variants.map((v, i) => `${v.name} ${percent(shares[i] ?? 0)}`).join(", ");
  const allZero = shares.every((share) => share === 0);
  const bar = h("div", {
    class: allZero ? "weight-bar weight-bar-empty" : "weight-bar",
    role: "img",
    "aria-label": allZero ? "every weight is zero" : `weights: ${words}`,
  });
  variants.forEach((_, i) => {
    const share = shares[i] ?? 0;
    if (share === 0) return;
    const segment = h("span", { class: "weight-segment" });
    // Set through the CSSOM: the CSP forbids style attributes in markup, not this.
    segment.style.width = `${share * 100}%`;
    segment.style.backgroundColor = variantColour(i);
    bar.append(segment);
  });
  if (options.legend === false) return bar;
  const legend = h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    variants.map((v, i) =>
      h("li", null, swatch(i), h("span", { class: "legend-name" }, v.name), " ", percent(shares[i] ?? 0)),
    ),
  );
  return h("div", { class: "weights" }, bar, legend);
}

/** A small square in a variant's colour. */
export function swatch(index: number): HTMLElement {
  const element = h("span", { class: "swatch", "aria-hidden": "true" });
  element.style.backgroundColor = variantColour(index);
  return element;
}

const HEIGHT = 240;
const MARGIN = { top: 12, right: 12, bottom: 30, left: 52 };
/** At most this many days are drawn (the newest); the table above has the totals. */
const MAX_DAYS = 120;

/**
 * What the daily chart counts: actors enrolled that day, or exposures (every assignment
 * answered); `actors`, a holdout's: actors counted in an arm that day (the enrolled counts).
 */
export type DailyMeasure = "enrolled" | "exposures" | "actors";

const MEASURE_WORDS: Record<DailyMeasure, { plural: string; each: string; field: "enrolled" | "exposures" }> = {
  enrolled: { plural: "enrolments", each: "enrolled", field: "enrolled" },
  exposures: { plural: "exposures", each: "exposures", field: "exposures" },
  actors: { plural: "actors", each: "actors", field: "enrolled" },
};

/**
 * Enrolments (or exposures) per UTC day as stacked bars, a colour per variant (the
 * order of the config), as inline SVG: no chart library. Days without any between the
 * first and the last are drawn empty rather than left out, so the x axis is time.
 */
export function dailyChart(
  results: Pick<ExperimentResults, "variants" | "daily">,
  options: { width?: number; measure?: DailyMeasure } = {},
): HTMLElement {
  const width = options.width ?? 720;
  const measure = options.measure ?? "enrolled";
  const words = MEASURE_WORDS[measure];
  const names = results.variants.map((v) => v.name);
  const days = continuousDays(
    results.daily.map((d) => d.day),
    MAX_DAYS,
  );
  if (days.length === 0) return h("p", { class: "muted" }, `No ${words.plural} yet.`);
  const byDay = new Map(results.daily.map((d) => [d.day, d.variants]));
  const countOf = (day: string, name: string) => byDay.get(day)?.[name]?.[words.field] ?? 0;
  const totals = days.map((day) => names.reduce((sum, name) => sum + countOf(day, name), 0));
  const max = Math.max(...totals, 1);
  const step = niceCeiling(max / 4);
  const top = Math.max(step, Math.ceil(max / step) * step);

  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const band = plotWidth / days.length;
  const barWidth = Math.max(1, Math.min(56, band * 0.7));

  const grid = [];
  for (let value = 0; value <= top; value += step) {
    grid.push(
      svg("line", { class: "chart-grid", x1: MARGIN.left, x2: width - MARGIN.right, y1: y(value), y2: y(value) }),
      svg("text", { class: "chart-label", x: MARGIN.left - 8, y: y(value) + 4, "text-anchor": "end" }, count(value)),
    );
  }

  // As many day labels as fit (about 80 units each), always the last one.
  const labelEvery = Math.ceil(days.length / Math.max(2, Math.floor(plotWidth / 80)));
  const bars = days.map((day, i) => {
    const x = MARGIN.left + band * i + (band - barWidth) / 2;
    let base = 0;
    const segments = names.map((name, v) => {
      const value = countOf(day, name);
      if (value === 0) return null;
      const rect = svg(
        "rect",
        { x, y: y(base + value), width: barWidth, height: y(base) - y(base + value), fill: variantColour(v) },
        svg("title", null, `${day} · ${name}: ${count(value)} ${words.each}`),
      );
      base += value;
      return rect;
    });
    const label =
      i % labelEvery === 0 || i === days.length - 1
        ? svg(
            "text",
            { class: "chart-label", x: x + barWidth / 2, y: HEIGHT - MARGIN.bottom + 18, "text-anchor": "middle" },
            day.slice(5),
          )
        : null;
    return svg("g", null, segments, label);
  });

  const titleId = uid("chart-title");
  const total = totals.reduce((a, b) => a + b, 0);
  const first = days[0] ?? "";
  const last = days[days.length - 1] ?? "";
  const summary =
    days.length === 1
      ? `${count(total)} ${words.plural} on ${first} (UTC)`
      : `${count(total)} ${words.plural} from ${first} to ${last} (UTC days)`;
  const chart = svg(
    "svg",
    {
      class: "chart",
      viewBox: `0 0 ${width} ${HEIGHT}`,
      role: "img",
      "aria-labelledby": titleId,
      preserveAspectRatio: "xMidYMid meet",
    },
    svg("title", { id: titleId }, `Daily ${words.plural}: ${summary}`),
    grid,
    bars,
    svg("line", {
      class: "chart-axis",
      x1: MARGIN.left,
      x2: width - MARGIN.right,
      y1: y(0),
      y2: y(0),
    }),
  );
  const legend = h(
    "ul",
    { class: "legend", "aria-hidden": "true" },
    names.map((name, i) => h("li", null, swatch(i), h("span", { class: "legend-name" }, name))),
  );
  return h("figure", { class: "chart-figure" }, chart, h("figcaption", null, legend, h("span", null, summary)));
}

const DAY_MS = 86_400_000;

/** Every UTC day from the first to the last of `days` (`YYYY-MM-DD`), in order, at most the last `limit`. */
export function continuousDays(days: readonly string[], limit: number): string[] {
  if (days.length === 0) return [];
  const sorted = [...days].sort();
  const end = Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`);
  const start = Math.max(Date.parse(`${sorted[0]}T00:00:00Z`), end - (limit - 1) * DAY_MS);
  if (Number.isNaN(start) || Number.isNaN(end)) return sorted.slice(-limit);
  const out: string[] = [];
  for (let t = start; t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
