import {
  type ExperimentConfig,
  type ExperimentResults,
  type HistoryResponse,
  type OverrideList,
  winnerInForce,
} from "../../client";
import { type DailyMeasure, dailyChart, swatch, weightBar } from "../charts";
import { actorProblem, parseWeight } from "../checks";
import { confirmDialog } from "../dialog";
import { h, uid } from "../dom";
import {
  allowedActions,
  condition,
  count,
  coverage,
  mutation,
  parseCoveragePercent,
  percent,
  pValue,
  utc,
  weightShares,
} from "../format";
import { isUnauthorized } from "../session";
import {
  canWrite,
  clearFieldError,
  showDone,
  showError,
  showFieldError,
  srmBadge,
  stateBadge,
  type ViewContext,
} from "../view";

/** The history is read this many entries at a time ("Show all" reads the rest). */
const HISTORY_PAGE = 100;

type Loaded<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Data {
  config: ExperimentConfig;
  results: Loaded<ExperimentResults>;
  history: Loaded<HistoryResponse>;
  overrides: Loaded<OverrideList>;
}

/**
 * One experiment: its config, results with the SRM status and the daily enrolments or exposures,
 * overrides, history, and (for a write token) the actions. After an action the page
 * reads everything again, so what it shows is what the API now says.
 */
export async function detailView(ctx: ViewContext, name: string): Promise<HTMLElement> {
  const notices = h("div", { class: "notices", "aria-live": "polite" });
  const header = h("header", { class: "view-header view-header-detail" });
  const body = h("div", { class: "detail-grid" });
  const view = h(
    "section",
    { class: "view" },
    h("nav", { class: "breadcrumb", "aria-label": "Breadcrumb" }, h("a", { href: "#/" }, "← All experiments")),
    header,
    notices,
    body,
  );
  let historyLimit = HISTORY_PAGE;

  const load = async (): Promise<Data | null> => {
    const client = ctx.session.client;
    const settle = <T>(promise: Promise<T>): Promise<Loaded<T>> =>
      promise.then(
        (value) => ({ ok: true, value }),
        (error: unknown) => ({ ok: false, error }),
      );
    const [config, results, history, overrides] = await Promise.all([
      settle(client.get(name)),
      settle(client.results(name)),
      settle(client.history(name, { limit: historyLimit })),
      settle(client.overrides(name)),
    ]);
    if (!config.ok) {
      header.replaceChildren(h("h1", { id: "view-title", tabindex: "-1" }, name));
      body.replaceChildren();
      showError(ctx, notices, config.error);
      return null;
    }
    // One 401 is enough to know the token is gone; the sections need not each say so.
    for (const part of [results, history, overrides]) {
      if (!part.ok && isUnauthorized(part.error)) {
        showError(ctx, notices, part.error);
        return null;
      }
    }
    return { config: config.value, results, history, overrides };
  };

  const render = (data: Data) => {
    header.replaceChildren(...headerParts(data.config));
    body.replaceChildren(
      resultsSection(data),
      configSection(data.config),
      overridesSection(data),
      historySection(data.history),
    );
  };

  const refresh = async () => {
    const data = await load();
    if (data !== null) render(data);
  };

  /**
   * Shows the experiment as it now is and says what changed. The control that did it
   * may be gone from the rebuilt page; focus then moves to the message (without
   * scrolling), so the keyboard and a screen reader carry on from there.
   */
  const changed = async (done: string) => {
    await refresh();
    showDone(notices, done);
    if (!view.contains(document.activeElement)) {
      const message = notices.firstElementChild;
      if (message instanceof HTMLElement) {
        message.tabIndex = -1;
        message.focus({ preventScroll: true });
      }
    }
  };

  /** Runs an action; its error goes to `errors` (next to the form that asked), else the page's notices. */
  const act = async (run: () => Promise<unknown>, done: string, errors: HTMLElement = notices) => {
    try {
      await run();
    } catch (error) {
      showError(ctx, errors, error);
      return;
    }
    if (errors !== notices) errors.replaceChildren();
    await changed(done);
  };

  // ── Header: name, state, description, actions ─────────────────────────────────

  const headerParts = (config: ExperimentConfig): HTMLElement[] => {
    const winner = winnerInForce(config);
    const parts: HTMLElement[] = [
      h(
        "div",
        { class: "title-row" },
        h("h1", { id: "view-title", tabindex: "-1" }, config.name),
        stateBadge(config.state),
        winner !== null ? h("span", { class: "winner" }, "winner: ", h("strong", null, winner)) : null,
      ),
    ];
    if (config.description) parts.push(h("p", { class: "description" }, config.description));
    const refreshButton = h(
      "button",
      {
        type: "button",
        class: "button",
        on: {
          click: async () => {
            notices.replaceChildren();
            await refresh();
          },
        },
      },
      "Refresh",
    );
    if (!canWrite(ctx)) {
      parts.push(
        h(
          "div",
          { class: "actions" },
          h("p", { class: "muted read-only" }, `Read-only token (${ctx.session.identity.name}): no actions.`),
          refreshButton,
        ),
      );
      return parts;
    }
    const allowed = allowedActions(config.state);
    const action = (label: string, enabled: boolean, onClick: () => void, extra = "") =>
      h("button", { type: "button", class: `button ${extra}`, disabled: !enabled, on: { click: onClick } }, label);
    parts.push(
      h(
        "div",
        { class: "actions", role: "group", "aria-label": "Actions" },
        action(
          "Start",
          allowed.start,
          () => void act(() => ctx.session.client.start(config.name), `Started ${config.name}.`),
          "button-primary",
        ),
        action("Conclude", allowed.conclude, () => void concludeDialog(config)),
        action("Archive", allowed.archive, () => void archiveDialog(config), "button-danger-outline"),
        refreshButton,
      ),
    );
    if (config.state === "archived") {
      parts.push(h("p", { class: "muted" }, "Archived experiments are frozen: nothing can be changed."));
    }
    return parts;
  };

  const concludeDialog = async (config: ExperimentConfig) => {
    const enrolled = new Map((lastResults?.variants ?? []).map((v) => [v.name, v.enrolled]));
    const winners = h(
      "fieldset",
      { class: "choices" },
      h("legend", null, "Winner"),
      config.variants.map((variant, i) => {
        const id = uid("winner-choice");
        const noteId = uid("winner-note");
        const known = enrolled.get(variant.name);
        return h(
          "div",
          { class: "choice" },
          h("input", {
            type: "radio",
            name: "winner",
            id,
            value: variant.name,
            required: true,
            "aria-describedby": known === undefined ? null : noteId,
          }),
          h("label", { for: id }, swatch(i), variant.name),
          known === undefined ? null : h("span", { id: noteId, class: "muted" }, `${count(known)} enrolled`),
        );
      }),
    );
    let winner = "";
    const concluded = await confirmDialog({
      title: `Conclude ${config.name}`,
      body: [
        h(
          "p",
          null,
          "Everyone gets the winner from now on, and no more exposures are logged. The experiment can be started again later.",
        ),
        winners,
      ],
      confirmLabel: "Confirm",
      confirm: async (form) => {
        winner = String(new FormData(form).get("winner") ?? "");
        await ctx.session.client.conclude(config.name, winner);
      },
    });
    if (concluded) await changed(`Concluded ${config.name}: everyone gets ${winner}.`);
  };

  const archiveDialog = async (config: ExperimentConfig) => {
    const archived = await confirmDialog({
      title: `Archive ${config.name}?`,
      body: h(
        "p",
        null,
        "Every assignment will answer 409 archived, and the experiment can never be started, concluded or edited again. This cannot be undone.",
      ),
      confirmLabel: "Confirm",
      danger: true,
      confirm: async () => {
        await ctx.session.client.archive(config.name);
      },
    });
    if (archived) await changed(`Archived ${config.name}.`);
  };

  // ── Results ───────────────────────────────────────────────────────────────────

  let lastResults: ExperimentResults | null = null;
  /** What the daily chart counts; kept when the page reads everything again. */
  let dailyMeasure: DailyMeasure = "enrolled";

  const resultsSection = (data: Data): HTMLElement => {
    const titleId = uid("results-title");
    const section = h(
      "section",
      { class: "card panel panel-wide", "aria-labelledby": titleId },
      h("h2", { id: titleId }, "Results"),
    );
    if (!data.results.ok) {
      lastResults = null;
      const slot = h("div");
      showError(ctx, slot, data.results.error);
      section.append(slot);
      return section;
    }
    const results = data.results.value;
    lastResults = results;
    const chartSlot = h("div");
    const { srm } = results;
    const statistics =
      srm.statistic !== null && srm.p_value !== null
        ? `χ² = ${srm.statistic.toFixed(2)}, df = ${srm.df}, p = ${pValue(srm.p_value)} (mismatch below ${srm.threshold})`
        : null;
    const explanation = {
      ok: "The split of enrolments matches the weights.",
      mismatch:
        "The split of enrolments differs from the weights more than chance allows: look for a cause (a redirect, a bot filter, logging) before reading the results.",
      insufficient_data: "Too few enrolments to test the split yet (at least 100, and 5 expected per variant).",
    }[srm.status];
    section.append(
      h(
        "div",
        { class: `srm srm-${srm.status}` },
        srmBadge(srm.status),
        h("span", null, explanation),
        statistics ? h("span", { class: "muted srm-stats" }, statistics) : null,
      ),
    );

    const totalEnrolled = results.variants.reduce((sum, v) => sum + v.enrolled, 0);
    const totalExposures = results.variants.reduce((sum, v) => sum + v.exposures, 0);
    const captionId = uid("results-caption");
    section.append(
      h(
        "div",
        // Fits a 390 px phone; narrower, it scrolls sideways: focusable so that the keyboard can scroll it.
        { class: "table-scroll", role: "region", "aria-labelledby": captionId, tabindex: "0" },
        h(
          "table",
          { class: "data results" },
          h("caption", { id: captionId, class: "visually-hidden" }, "Enrolments and exposures by variant"),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, "Variant"),
              ["Expected share", "Enrolled", "Observed share", "Exposures"].map((label) =>
                h("th", { scope: "col", class: "numeric-head" }, label),
              ),
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
                  winnerInForce(data.config) === v.name ? h("span", { class: "tag" }, "winner") : null,
                ),
                h("td", { class: "numeric" }, percent(v.expected_share)),
                h("td", { class: "numeric" }, count(v.enrolled)),
                h("td", { class: "numeric" }, v.observed_share === null ? "—" : percent(v.observed_share)),
                h("td", { class: "numeric" }, count(v.exposures)),
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
              h("td", { class: "numeric" }, "100%"),
              h("td", { class: "numeric" }, count(totalEnrolled)),
              h("td", { class: "numeric" }, totalEnrolled === 0 ? "—" : "100%"),
              h("td", { class: "numeric" }, count(totalExposures)),
            ),
          ),
        ),
      ),
      h(
        "div",
        { class: "chart-header" },
        h("h3", null, "Per day"),
        measureChoice(chartSlot, results, dailyMeasure, (measure) => {
          dailyMeasure = measure;
        }),
      ),
      chartSlot,
      h(
        "p",
        { class: "hint" },
        `Counted up to ${utc(results.as_of_secs)}. Counts follow assignments by about a second; Refresh reads them again.`,
      ),
    );
    return section;
  };

  // ── Configuration, with the weight and coverage forms ─────────────────────────

  const configSection = (config: ExperimentConfig): HTMLElement => {
    const titleId = uid("config-title");
    const row = (term: string, ...details: (Node | string | null)[]) => [h("dt", null, term), h("dd", null, details)];
    const section = h(
      "section",
      { class: "card panel", "aria-labelledby": titleId },
      h("h2", { id: titleId }, "Configuration"),
      h(
        "dl",
        { class: "facts" },
        row("Variants", weightBar(config.variants)),
        row(
          "Targeting",
          config.targeting.length === 0
            ? "everyone"
            : h(
                "ul",
                { class: "conditions" },
                config.targeting.map((c) => h("li", null, h("code", null, condition(c)))),
              ),
        ),
        row(
          "Coverage",
          `${coverage(config.coverage)} of eligible actors`,
          config.coverage === 10_000 ? null : h("span", { class: "muted" }, ` (${count(config.coverage)} bp)`),
        ),
        row("Exclusion group", config.exclusion_group ?? h("span", { class: "muted" }, "none")),
        row("Hash version", config.hash_version === 1 ? "v1 (FNV-1a 64)" : "v2 (FNV-1a 64, fmix64-finalized)"),
        row("Revision", String(config.revision)),
        row(
          "Started",
          config.started_at_secs === null ? h("span", { class: "muted" }, "never") : utc(config.started_at_secs),
        ),
        row("Updated", utc(config.updated_at_secs)),
      ),
    );
    if (canWrite(ctx) && allowedActions(config.state).edit) {
      section.append(weightsForm(config), coverageForm(config));
    }
    return section;
  };

  const weightsForm = (config: ExperimentConfig): HTMLElement => {
    const titleId = uid("weights-title");
    const fields = config.variants.map((variant) => ({
      variant,
      input: h("input", {
        type: "number",
        id: uid("weight"),
        name: variant.name,
        min: "0",
        step: "1",
        required: true,
        inputmode: "numeric",
        value: String(variant.weight),
      }),
      share: h("output", { class: "share" }),
      error: h("div", { class: "weight-error" }),
    }));
    const errors = h("div");
    /** Each field's weight, or `null` where the engine would refuse it (its words then show on that field). */
    const check = (): (number | null)[] =>
      fields.map(({ variant, input, error }) => {
        const parsed = parseWeight(variant.name, input.value);
        if ("problem" in parsed) {
          showFieldError(error, input, parsed.problem);
          return null;
        }
        clearFieldError(error, input);
        return parsed.weight;
      });
    const updateShares = () => {
      const weights = check();
      // While one weight is not one, no share is known: none is shown rather than a wrong one.
      const shares = weights.every((w) => w !== null)
        ? weightShares(fields.map(({ variant }, i) => ({ name: variant.name, weight: weights[i] ?? 0 })))
        : null;
      fields.forEach(({ share }, i) => {
        share.textContent = shares === null ? "—" : percent(shares[i] ?? 0);
      });
    };
    updateShares();
    const form = h(
      "form",
      {
        class: "subform",
        "aria-labelledby": titleId,
        on: {
          input: updateShares,
          submit: (event) => {
            event.preventDefault();
            const weights = check();
            const refused = fields.find((_, i) => weights[i] === null);
            if (refused !== undefined) {
              refused.input.focus();
              return;
            }
            const variants = fields.map(({ variant }, i) => ({ name: variant.name, weight: weights[i] ?? 0 }));
            void act(
              () => ctx.session.client.setWeights(config.name, variants),
              `Saved the weights of ${config.name}.`,
              errors,
            );
          },
        },
      },
      h("h3", { id: titleId }, "Edit weights"),
      h("p", { class: "hint" }, "New actors follow the new weights; actors already assigned keep their variant."),
      errors,
      h(
        "div",
        { class: "weight-inputs" },
        fields.map(({ variant, input, share, error }, i) =>
          h(
            "div",
            { class: "weight-input" },
            h("label", { for: input.id }, swatch(i), variant.name),
            input,
            share,
            error,
          ),
        ),
      ),
      h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button" }, "Save weights")),
    );
    return form;
  };

  const coverageForm = (config: ExperimentConfig): HTMLElement => {
    const titleId = uid("coverage-title");
    const input = h("input", {
      type: "number",
      id: uid("coverage"),
      min: "0",
      max: "100",
      step: "0.01",
      required: true,
      inputmode: "decimal",
      value: String(config.coverage / 100),
    });
    const errors = h("div");
    return h(
      "form",
      {
        class: "subform",
        "aria-labelledby": titleId,
        on: {
          submit: (event) => {
            event.preventDefault();
            const bp = parseCoveragePercent(input.value);
            if (bp === null) {
              showFieldError(errors, input, "Coverage is a percentage from 0 to 100.", true);
              return;
            }
            clearFieldError(errors, input);
            void act(
              () => ctx.session.client.setCoverage(config.name, bp),
              `Coverage of ${config.name} set to ${coverage(bp)}.`,
              errors,
            );
          },
        },
      },
      h("h3", { id: titleId }, "Edit coverage"),
      h("p", { class: "hint" }, "The share of eligible new actors that may enter; actors already enrolled stay."),
      errors,
      h(
        "div",
        { class: "fields" },
        h("div", { class: "field" }, h("label", { for: input.id }, "Coverage (%)"), input),
        h("button", { type: "submit", class: "button" }, "Save coverage"),
      ),
    );
  };

  // ── Overrides ─────────────────────────────────────────────────────────────────

  const overridesSection = (data: Data): HTMLElement => {
    const { config } = data;
    const titleId = uid("overrides-title");
    const section = h(
      "section",
      { class: "card panel", "aria-labelledby": titleId },
      h("h2", { id: titleId }, "Overrides"),
      h(
        "p",
        { class: "hint" },
        "An override pins an actor (QA, staff) to a variant. It shadows the actor's own assignment, which applies again once the override is removed.",
      ),
    );
    if (!data.overrides.ok) {
      const slot = h("div");
      showError(ctx, slot, data.overrides.error);
      section.append(slot);
      return section;
    }
    const editable = canWrite(ctx) && config.state !== "archived";
    const overrides = data.overrides.value.overrides;
    if (overrides.length === 0) {
      section.append(h("p", { class: "muted" }, "No overrides."));
    } else {
      section.append(
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "data" },
            h("caption", { class: "visually-hidden" }, "Overrides"),
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                h("th", { scope: "col" }, "Actor"),
                h("th", { scope: "col" }, "Variant"),
                editable ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Remove")) : null,
              ),
            ),
            h(
              "tbody",
              null,
              overrides.map((o) =>
                h(
                  "tr",
                  null,
                  h("td", null, h("code", null, o.actor)),
                  h("td", null, o.variant),
                  editable
                    ? h(
                        "td",
                        { class: "numeric" },
                        h(
                          "button",
                          {
                            type: "button",
                            class: "button button-small",
                            "aria-label": `Remove override for ${o.actor}`,
                            on: {
                              click: () =>
                                void act(
                                  () => ctx.session.client.removeOverride(config.name, o.actor),
                                  `Removed the override for ${o.actor}.`,
                                ),
                            },
                          },
                          "Remove",
                        ),
                      )
                    : null,
                ),
              ),
            ),
          ),
        ),
      );
    }
    if (editable) section.append(overrideForm(config));
    return section;
  };

  const overrideForm = (config: ExperimentConfig): HTMLElement => {
    const titleId = uid("override-title");
    const actor = h("input", {
      id: uid("override-actor"),
      name: "actor",
      required: true,
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "qa:alice",
    });
    const errors = h("div");
    const variant = h(
      "select",
      { id: uid("override-variant"), name: "variant" },
      config.variants.map((v) => h("option", { value: v.name }, v.name)),
    );
    return h(
      "form",
      {
        class: "subform",
        "aria-labelledby": titleId,
        on: {
          submit: (event) => {
            event.preventDefault();
            const who = actor.value.trim();
            // `required` lets a blank through, which the trim makes empty; `.` and `..` cannot travel in the path.
            const problem = actorProblem(who);
            if (problem !== null) {
              showFieldError(errors, actor, problem, true);
              return;
            }
            clearFieldError(errors, actor);
            void act(
              () => ctx.session.client.setOverride(config.name, who, variant.value),
              `${who} now gets ${variant.value}.`,
              errors,
            );
          },
        },
      },
      h("h3", { id: titleId }, "Add an override"),
      errors,
      h(
        "div",
        { class: "fields" },
        h("div", { class: "field field-grow" }, h("label", { for: actor.id }, "Actor"), actor),
        h("div", { class: "field" }, h("label", { for: variant.id }, "Variant"), variant),
        h("button", { type: "submit", class: "button" }, "Add override"),
      ),
    );
  };

  // ── History ───────────────────────────────────────────────────────────────────

  const historySection = (history: Loaded<HistoryResponse>): HTMLElement => {
    const titleId = uid("history-title");
    const section = h(
      "section",
      { class: "card panel panel-wide", "aria-labelledby": titleId },
      h("h2", { id: titleId }, "History"),
    );
    if (!history.ok) {
      const slot = h("div");
      showError(ctx, slot, history.error);
      section.append(slot);
      return section;
    }
    const entries = history.value.history;
    section.append(
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "data history" },
          h("caption", { class: "visually-hidden" }, "History, newest first"),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, "When"),
              h("th", { scope: "col" }, "Change"),
              h("th", { scope: "col" }, "By"),
            ),
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
                h("td", null, entry.actor ?? h("span", { class: "muted" }, "—")),
              ),
            ),
          ),
        ),
      ),
    );
    if (historyLimit !== 0 && entries.length >= historyLimit) {
      section.append(
        h(
          "button",
          {
            type: "button",
            class: "button",
            on: {
              click: async () => {
                historyLimit = 0;
                await refresh();
              },
            },
          },
          "Show the whole history",
        ),
      );
    }
    return section;
  };

  const data = await load();
  if (data !== null) render(data);
  return view;
}

/**
 * The daily chart's choice of what to count (enrolments at first: the split the SRM check
 * reads), drawing the chart of `chosen` into `slot` now and another on every change,
 * which `onChange` hears. Drawn for about the width the panel gets (the page is at most
 * 1,200 px wide, less its and the panel's padding), so that its labels keep their size,
 * phones included.
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
