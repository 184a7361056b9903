import type { LayerList } from "../client";
import { coverageText, rangeText, table } from "./format";

/** How `expctl layers` shows the layers: per layer, its free ranges, a bar, and its experiments by range. */

type LayerOverview = LayerList["layers"][number];

/** Basis points one character of the bar stands for: 40 characters for the whole 10 000, 2.5 % each. */
const BAR_CELL = 250;
const BAR_CELLS = 10_000 / BAR_CELL;

/** The keys of a layer's running experiments in the bar, in range order (`#` past the 62nd). */
const KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const keyOf = (index: number) => KEYS[index] ?? "#";

/**
 * Every layer, one block each.
 *
 * @example
 * // layer checkout: free [2500, 5000) [7500, 10000)
 * //   |AAAAAAAAAA..........BBBBBBBBBB..........|
 * //   KEY  RANGE         SHARE  EXPERIMENT  STATE
 * //   A    [0, 2500)     25%    cli_a       running
 * //   -    [2500, 5000)  25%    cli_c       draft
 * //   B    [5000, 7500)  25%    cli_b       running
 */
export function layersText(layers: readonly LayerOverview[]): string {
  if (layers.length === 0) return "no layers\n";
  return layers.map(layerText).join("\n");
}

function layerText(layer: LayerOverview): string {
  const running = layer.experiments.filter((e) => e.state === "running");
  const key = new Map(running.map((e, i) => [e.name, keyOf(i)]));
  const free = layer.free.length === 0 ? "none" : layer.free.map(rangeText).join(" ");
  const rows = layer.experiments.map((e) => [
    key.get(e.name) ?? "-",
    rangeText(e.range),
    coverageText(e.range[1] - e.range[0]),
    e.name,
    e.state,
  ]);
  const experiments = table(["KEY", "RANGE", "SHARE", "EXPERIMENT", "STATE"], rows)
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}\n`)
    .join("");
  return `layer ${layer.name}: free ${free}\n  |${bar(running, key)}|\n${experiments}`;
}

/**
 * The layer's 10 000 basis points in {@link BAR_CELLS} characters: each shows the key of
 * the running experiment holding the middle of its {@link BAR_CELL} basis points, or `.`
 * when none does (so a range narrower than a character may not show; the table is exact).
 */
function bar(running: readonly { name: string; range: [number, number] }[], key: Map<string, string>): string {
  let text = "";
  for (let cell = 0; cell < BAR_CELLS; cell++) {
    const middle = cell * BAR_CELL + BAR_CELL / 2;
    const holder = running.find(({ range: [start, end] }) => start <= middle && middle < end);
    text += holder === undefined ? "." : (key.get(holder.name) ?? "#");
  }
  return text;
}
