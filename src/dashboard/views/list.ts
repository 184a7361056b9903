import { type ExperimentConfig, type LayerList, winnerInForce } from "../../client";
import { weightBar } from "../charts";
import { h, uid } from "../dom";
import { count, coverage, STATES, type State } from "../format";
import { experimentHash, listHash } from "../links";
import { describeError } from "../session";
import {
  canWrite,
  columnHeads,
  createButton,
  inPool,
  refreshButton,
  scrollingTable,
  showError,
  srmBadge,
  stateBadge,
  type ViewContext,
} from "../view";
import { createExperimentDialog } from "./create";
import { type Loaded, settle } from "./detail/parts";
import { layersSection } from "./layers";

/** Results are asked for this many experiments at a time. */
const RESULTS_CONCURRENCY = 4;

/**
 * Every experiment in a table: name (a link to its page), state, weights, group, hash
 * version, coverage, and, for running and concluded ones, enrolments and the SRM
 * status from the results route (asked for after the table is shown; a failure shows
 * in its cell and fails nothing else). The state filter hides rows without asking the
 * API again, and keeps itself in the address so a reload or a shared link keeps it.
 * Under the table, the layers (read beside the list), each as an allocation bar.
 */
export async function listView(ctx: ViewContext, query: URLSearchParams): Promise<HTMLElement> {
  const requested = query.get("state");
  let filter: State | null = STATES.find((s) => s === requested) ?? null;
  const notices = h("div", { class: "notices", "aria-live": "polite" });
  const title = h("h1", { id: "view-title", tabindex: "-1" }, "Experiments");
  const view = h("section", { class: "view" });

  let experiments: ExperimentConfig[];
  const layers = settle(ctx.session.client.layers());
  try {
    experiments = (await ctx.session.client.list()).experiments;
  } catch (error) {
    showError(ctx, notices, error);
    view.append(h("header", { class: "view-header" }, title), notices);
    return view;
  }

  const summary = h("p", { class: "muted", "aria-live": "polite" });
  const rows = experiments.map((config) => row(config));
  const select = h(
    "select",
    {
      id: uid("state-filter"),
      on: {
        change: () => {
          filter = STATES.find((s) => s === select.value) ?? null;
          // The address follows the filter without a new history entry or a reload.
          history.replaceState(null, "", listHash(filter));
          applyFilter();
        },
      },
    },
    h("option", { value: "" }, `All states (${experiments.length})`),
    STATES.map((state) =>
      h(
        "option",
        { value: state, selected: state === filter },
        `${state[0]?.toUpperCase()}${state.slice(1)} (${experiments.filter((e) => e.state === state).length})`,
      ),
    ),
  );
  const applyFilter = () => {
    let shown = 0;
    for (const { config, element } of rows) {
      element.hidden = filter !== null && config.state !== filter;
      if (!element.hidden) shown += 1;
    }
    const noun = experiments.length === 1 ? "experiment" : "experiments";
    summary.textContent =
      filter === null ? `${experiments.length} ${noun}` : `${shown} of ${experiments.length} ${noun} (${filter})`;
    empty.hidden = shown > 0 || experiments.length === 0;
  };

  const refresh = refreshButton(ctx);
  const create = createButton(ctx, "New experiment", () => createExperimentDialog(ctx), experimentHash);
  const toolbar = h(
    "div",
    { class: "toolbar" },
    h("label", { for: select.id, class: "inline-label" }, "State"),
    select,
    refresh,
    create,
  );
  view.append(h("header", { class: "view-header" }, h("div", null, title, summary), toolbar), notices);

  const empty = h("p", { class: "empty" }, "No experiment is in this state.");
  if (experiments.length === 0) {
    view.append(
      h(
        "div",
        { class: "empty card" },
        h("p", null, "No experiments yet."),
        h(
          "p",
          { class: "muted" },
          canWrite(ctx)
            ? "Create one with New experiment, the admin API (PUT /v1/admin/experiments/{name}) or expctl; it starts as a draft."
            : "Experiments declared with the admin API or expctl show here.",
        ),
      ),
    );
    applyFilter();
    return view;
  }

  view.append(
    scrollingTable(
      { caption: "Experiments", class: "data experiments", box: "card" },
      columnHeads(
        ["Experiment", "State", "Variants and weights", "Group", "Hash", "Coverage", "Enrolled", "SRM"].map((name, i) =>
          h("th", { scope: "col", class: i >= 6 ? "numeric-head" : null }, name),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((r) => r.element),
      ),
    ),
    empty,
  );
  const layersShown = layersPart(ctx, await layers);
  if (layersShown !== null) view.append(layersShown);
  applyFilter();

  // Results only exist for experiments that ran; the rest say so without a request.
  const withResults = rows.filter((r) => r.config.state === "running" || r.config.state === "concluded");
  void inPool(withResults, RESULTS_CONCURRENCY, async (r) => {
    try {
      const results = await ctx.session.client.results(r.config.name);
      const enrolled = results.variants.reduce((sum, v) => sum + v.enrolled, 0);
      r.enrolled.replaceChildren(count(enrolled));
      r.srm.replaceChildren(srmBadge(results.srm.status, ""));
    } catch (error) {
      r.enrolled.replaceChildren("—");
      r.srm.replaceChildren(
        h("span", { class: "muted" }, "unavailable"),
        h("span", { class: "cell-note" }, describeError(error)),
      );
    }
  });
  return view;
}

function row(config: ExperimentConfig) {
  const ran = config.state === "running" || config.state === "concluded";
  // `data-label` heads each cell where a narrow screen shows a row as a card.
  const enrolled = h(
    "td",
    { class: "numeric", "data-label": "Enrolled" },
    ran ? h("span", { class: "muted" }, "…") : "—",
  );
  const srm = h("td", { class: "numeric", "data-label": "SRM" }, ran ? h("span", { class: "muted" }, "loading…") : "—");
  const targeting = config.targeting.length;
  const winner = winnerInForce(config);
  const element = h(
    "tr",
    null,
    h(
      "td",
      { class: "name-cell" },
      h("a", { href: experimentHash(config.name), class: "experiment-link" }, config.name),
      config.description ? h("span", { class: "cell-note" }, config.description) : null,
      metricsNote(config),
    ),
    h(
      "td",
      { class: "state-cell" },
      stateBadge(config.state),
      winner !== null ? h("span", { class: "cell-note" }, `winner ${winner}`) : null,
    ),
    h("td", { class: "weights-cell" }, weightBar(config.variants)),
    h(
      "td",
      { class: "group-cell", "data-label": "Group" },
      config.exclusion_group ?? h("span", { class: "muted" }, "—"),
    ),
    h("td", { "data-label": "Hash" }, `v${config.hash_version}`),
    h(
      "td",
      { "data-label": "Coverage" },
      coverage(config.coverage),
      targeting > 0
        ? h(
            "span",
            { class: "cell-note cell-note-wrap" },
            `${targeting} targeting condition${targeting === 1 ? "" : "s"}`,
          )
        : null,
    ),
    enrolled,
    srm,
  );
  return { config, element, enrolled, srm };
}

/**
 * What the experiment is judged by, under its name: `3 metrics, 1 guardrail`; nothing
 * without metrics. (A column of its own would not fit a desktop table beside the rest.)
 */
function metricsNote(config: ExperimentConfig): HTMLElement | null {
  const metrics = config.metrics.length;
  if (metrics === 0) return null;
  const guardrails = config.metrics.filter((m) => m.role === "guardrail").length;
  const text = `${metrics} metric${metrics === 1 ? "" : "s"}${guardrails > 0 ? `, ${guardrails} guardrail${guardrails === 1 ? "" : "s"}` : ""}`;
  return h("span", { class: "cell-note metrics-note" }, text);
}

/** The Layers section, or why the layers could not be read; nothing when no experiment names a layer. */
function layersPart(ctx: ViewContext, layers: Loaded<LayerList>): HTMLElement | null {
  if (layers.ok) return layersSection(layers.value.layers);
  const slot = h("div", { class: "layers" });
  showError(ctx, slot, layers.error);
  return slot;
}
