import { ApiError } from "../../client";
import { experimentNameProblem } from "../checks";
import { confirmDialog, FieldError } from "../dialog";
import { h, uid } from "../dom";
import { parseVariants } from "../format";
import { labelledField, type ViewContext } from "../view";

/**
 * The "New experiment" dialog: a name, an optional description and exclusion group, and
 * the variants with their weights, defined as a draft through the definition `PUT`.
 * That `PUT` replaces an existing experiment's definition, so the dialog first makes
 * sure the name is free, and refuses it otherwise (another operator creating the same
 * name between the two calls is the one case it cannot see). The name, which travels in
 * the URL's path, is checked before either call (`experimentNameProblem`); every other
 * rule is the API's: its refusal shows in the dialog in its own words.
 *
 * @returns the new experiment's name, or `null` when the operator cancelled
 */
export async function createExperimentDialog(ctx: ViewContext): Promise<string | null> {
  const name = h("input", {
    id: uid("create-name"),
    name: "name",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "checkout_v2",
  });
  const description = h("input", { id: uid("create-description"), name: "description", autocomplete: "off" });
  const variants = h(
    "textarea",
    { id: uid("create-variants"), name: "variants", required: true, rows: 3, spellcheck: "false" },
    "control=50\ntreatment=50",
  );
  const group = h("input", {
    id: uid("create-group"),
    name: "exclusion_group",
    autocomplete: "off",
    spellcheck: "false",
  });

  let created: string | null = null;
  const done = await confirmDialog({
    title: "New experiment",
    body: h(
      "div",
      { class: "fields fields-stacked" },
      labelledField("Name", name, "Letters, digits, '_', '.' and '-'; it cannot be changed later."),
      labelledField("Description", description),
      labelledField("Variants", variants, "One a line, as name=weight; weights are relative."),
      labelledField("Exclusion group", group, "Optional: an actor is in at most one running experiment of a group."),
    ),
    confirmLabel: "Create draft",
    async confirm() {
      const experiment = name.value.trim();
      const problem = experimentNameProblem(experiment);
      if (problem !== null) throw new FieldError(name, problem);
      const definition = {
        variants: parseVariants(variants.value),
        ...(description.value.trim() ? { description: description.value.trim() } : {}),
        ...(group.value.trim() ? { exclusion_group: group.value.trim() } : {}),
      };
      if (await exists(ctx, experiment)) {
        throw new FieldError(name, `An experiment named ${experiment} already exists.`);
      }
      await ctx.session.client.define(experiment, definition);
      created = experiment;
    },
  });
  return done ? created : null;
}

async function exists(ctx: ViewContext, experiment: string): Promise<boolean> {
  try {
    await ctx.session.client.get(experiment);
    return true;
  } catch (error) {
    // Not found: the name is free. A name the API refuses is left to the define call to explain.
    if (error instanceof ApiError && (error.code === "not_found" || error.status === 400)) return false;
    throw error;
  }
}
