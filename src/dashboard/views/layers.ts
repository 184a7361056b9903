import type { LayerList } from "../../client";
import { h, uid } from "../dom";
import { bpRange, bpRangeWords, coverage, type State } from "../format";
import { experimentHash } from "../links";
import { stateBadge } from "../view";

type Layer = LayerList["layers"][number];
type Range = readonly [number, number];
type LayerExperiment = Layer["experiments"][number];

/** The states a layer lists, in the order its summary counts them (archived experiments leave their layer). */
const LAYER_STATES: readonly State[] = ["running", "draft", "concluded"];

/** The basis points of a layer's hash, all of it. */
const WHOLE = 10_000;

/**
 * The list page's Layers section: per layer, an allocation bar of its hash from 0 to
 * 100 %, each running experiment's range a segment with its name and the free ranges
 * hatched and labelled "free", then every experiment of the layer with its state and range
 * in words, a small track showing where the range lies, and the free ranges. Draft and
 * concluded experiments are listed but not in the bar: only running ones hold their range
 * (the API refuses to start one on a range a running one holds). `null` without layers.
 */
export function layersSection(layers: LayerList["layers"]): HTMLElement | null {
  if (layers.length === 0) return null;
  const titleId = uid("layers-title");
  return h(
    "section",
    { class: "layers", "aria-labelledby": titleId },
    h("h2", { id: titleId }, "Layers"),
    h(
      "p",
      { class: "hint" },
      "An actor's bucket in a layer's hash decides which of the layer's experiments it may enter: experiments on ranges that do not overlap never share an actor. A running experiment holds its range; the free ranges are where another can start.",
    ),
    h("div", { class: "layer-grid" }, layers.map(layerCard)),
  );
}

function layerCard(layer: Layer): HTMLElement {
  const titleId = uid("layer-title");
  const free = layer.free.reduce((sum, [start, end]) => sum + end - start, 0);
  const states = LAYER_STATES.flatMap((state) => {
    const n = layer.experiments.filter((e) => e.state === state).length;
    return n === 0 ? [] : [`${n} ${state}`];
  });
  return h(
    "section",
    { class: "card layer", "aria-labelledby": titleId },
    h(
      "div",
      { class: "layer-header" },
      h("h3", { id: titleId }, layer.name),
      h("span", { class: "muted" }, `${states.join(", ")} · ${coverage(free)} free`),
    ),
    allocationBar(layer),
    h(
      "div",
      { class: "layer-scale", "aria-hidden": "true" },
      ["0%", "25%", "50%", "75%", "100%"].map((tick) => h("span", null, tick)),
    ),
    rangeList(layer),
  );
}

/** A part of the bar or a track, placed by its range (through the CSSOM: the CSP forbids style attributes in markup). */
function placed(element: HTMLElement, [start, end]: Range): HTMLElement {
  element.style.left = `${(start / WHOLE) * 100}%`;
  element.style.width = `${((end - start) / WHOLE) * 100}%`;
  return element;
}

/**
 * The running experiments' ranges and the free ones, which between them cover the whole
 * hash once: an image whose name says the same in words.
 */
function allocationBar(layer: Layer): HTMLElement {
  const running = layer.experiments.filter((e) => e.state === "running");
  const parts = [
    ...running.map((e) => ({ label: e.name, range: e.range, words: `${e.name} (running) ${bpRangeWords(e.range)}` })),
    ...layer.free.map((range) => ({ label: "free", range, words: `free ${bpRangeWords(range)}` })),
  ].sort((a, b) => a.range[0] - b.range[0]);
  return h(
    "div",
    {
      class: "layer-bar",
      role: "img",
      "aria-label": `Allocation of layer ${layer.name}: ${parts.map((p) => p.words).join("; ")}`,
    },
    parts.map(({ label, range }) =>
      placed(
        h(
          "span",
          {
            class: label === "free" ? "layer-segment layer-free" : "layer-segment",
            title: `${label} ${bpRange(range)}`,
          },
          h("span", { class: "layer-segment-label" }, label),
        ),
        range,
      ),
    ),
  );
}

/** The layer's experiments and free ranges, in the order of their starts, each in words and on a track. */
function rangeList(layer: Layer): HTMLElement {
  const rows = [
    ...layer.experiments.map((experiment) => ({ start: experiment.range[0], row: experimentRow(experiment) })),
    ...layer.free.map((range) => ({ start: range[0], row: freeRow(range) })),
  ].sort((a, b) => a.start - b.start);
  return h("ul", { class: "layer-ranges", "aria-label": `Ranges of layer ${layer.name}` }, ...rows.map((r) => r.row));
}

function experimentRow(experiment: LayerExperiment): HTMLElement {
  const holds = experiment.state === "running";
  return h(
    "li",
    { class: holds ? "layer-range" : "layer-range layer-range-idle" },
    h(
      "span",
      { class: "layer-range-name" },
      h("a", { href: experimentHash(experiment.name), class: "experiment-link" }, experiment.name),
      " ",
      stateBadge(experiment.state),
    ),
    h("span", { class: "layer-range-span" }, bpRangeWords(experiment.range)),
    track(experiment.range, holds ? "layer-track-fill" : "layer-track-fill layer-track-idle"),
    holds ? null : h("span", { class: "line-note layer-range-note" }, "holds no range until it runs"),
  );
}

function freeRow(range: Range): HTMLElement {
  return h(
    "li",
    { class: "layer-range layer-range-free" },
    h("span", { class: "layer-range-name" }, h("span", { class: "badge badge-free" }, "free")),
    h("span", { class: "layer-range-span" }, bpRangeWords(range)),
    track(range, "layer-track-fill layer-free"),
  );
}

/** Where a range lies in the hash, drawn; the words beside it say it. */
function track(range: Range, fill: string): HTMLElement {
  return h("span", { class: "layer-track", "aria-hidden": "true" }, placed(h("span", { class: fill }), range));
}
