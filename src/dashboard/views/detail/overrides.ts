import type { ExperimentConfig, OverrideList } from "../../../client";
import { actorProblem } from "../../checks";
import { h, uid } from "../../dom";
import { canWrite, clearFieldError, columnHeads, scrollingTable } from "../../view";
import { type DetailPage, failure, type Loaded, panel, refuse, subform } from "./parts";

type Override = OverrideList["overrides"][number];

const HINT =
  "An override pins an actor (QA, staff) to a variant. It shadows the actor's own assignment, which applies again once the override is removed.";

/**
 * The Overrides panel: the actors pinned to a variant and, for a write token (until the
 * experiment is archived), a Remove button on each and the form that adds one.
 */
export function overridesSection(
  page: DetailPage,
  config: ExperimentConfig,
  overrides: Loaded<OverrideList>,
): HTMLElement {
  const hint = h("p", { class: "hint" }, HINT);
  if (!overrides.ok) return panel("Overrides", {}, hint, failure(page.ctx, overrides.error));
  const editable = canWrite(page.ctx) && config.state !== "archived";
  const list = overrides.value.overrides;
  return panel(
    "Overrides",
    {},
    hint,
    list.length === 0 ? h("p", { class: "muted" }, "No overrides.") : overridesTable(page, config, list, editable),
    editable ? overrideForm(page, config) : null,
  );
}

function overridesTable(
  page: DetailPage,
  config: ExperimentConfig,
  overrides: readonly Override[],
  editable: boolean,
): HTMLElement {
  return scrollingTable(
    // Not "Overrides": that names the panel around it.
    { caption: "Overridden actors", class: "data" },
    columnHeads(
      h("th", { scope: "col" }, "Actor"),
      h("th", { scope: "col" }, "Variant"),
      editable ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Remove")) : null,
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
          editable ? h("td", { class: "numeric" }, removeButton(page, config, o.actor)) : null,
        ),
      ),
    ),
  );
}

function removeButton(page: DetailPage, config: ExperimentConfig, actor: string): HTMLElement {
  const remove = {
    run: () => page.ctx.session.client.removeOverride(config.name, actor),
    done: `Removed the override for ${actor}.`,
  };
  return h(
    "button",
    {
      type: "button",
      class: "button button-small",
      "aria-label": `Remove override for ${actor}`,
      on: { click: () => void page.act(remove) },
    },
    "Remove",
  );
}

function overrideForm(page: DetailPage, config: ExperimentConfig): HTMLElement {
  const actor = h("input", {
    id: uid("override-actor"),
    name: "actor",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "qa:alice",
  });
  const variant = h(
    "select",
    { id: uid("override-variant"), name: "variant" },
    config.variants.map((v) => h("option", { value: v.name }, v.name)),
  );
  return subform(
    page,
    {
      title: "Add an override",
      check: (errors) => {
        const who = actor.value.trim();
        // `required` lets a blank through, which the trim makes empty; `.` and `..` cannot travel in the path.
        const problem = actorProblem(who);
        if (problem !== null) return refuse(errors, actor, problem);
        clearFieldError(errors, actor);
        return {
          run: () => page.ctx.session.client.setOverride(config.name, who, variant.value),
          done: `${who} now gets ${variant.value}.`,
        };
      },
    },
    h(
      "div",
      { class: "fields" },
      h("div", { class: "field field-grow" }, h("label", { for: actor.id }, "Actor"), actor),
      h("div", { class: "field" }, h("label", { for: variant.id }, "Variant"), variant),
      h("button", { type: "submit", class: "button" }, "Add override"),
    ),
  );
}
