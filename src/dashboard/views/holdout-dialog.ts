import { ApiError } from "../../client";
import { MAX_HOLDOUT_COVERAGE } from "../../core/holdouts";
import { experimentNameProblem } from "../checks";
import { confirmDialog, FieldError } from "../dialog";
import { h, uid } from "../dom";
import { coverage, parseCoveragePercent } from "../format";
import { type Holdout, type HoldoutDefinition, holdoutApi } from "../holdout-api";
import { labelledField, type ViewContext } from "../view";

/** `Held out is a percentage from 0.01 to 50.` */
const COVERAGE_PROBLEM = `Held out is a percentage from ${coverage(1).replace("%", "")} to ${coverage(MAX_HOLDOUT_COVERAGE)}.`;

/**
 * The "New holdout" dialog, or, given the holdout, "Edit holdout": the share held out (as
 * a percentage, sent as basis points) and a description, through the definition `PUT`.
 * That `PUT` replaces a definition, so a new holdout's name is first checked free, and an
 * edit reads the holdout's metrics again and sends them back as they are (the dialog does
 * not change them).
 * The name and the share are checked before anything is sent; the API judges the rest,
 * and its refusal (`holdout_locked` for a new share once a member has run) shows in the
 * dialog in its own words.
 *
 * @returns the holdout's name once saved, or `null` when the operator cancelled
 */
export async function holdoutDialog(ctx: ViewContext, current: Holdout | null = null): Promise<string | null> {
  const name = h("input", {
    id: uid("holdout-name"),
    name: "name",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "q4_holdout",
  });
  // `step: any` and no bounds: the page words a share out of range itself, rather than the browser.
  const share = h("input", {
    id: uid("holdout-coverage"),
    name: "coverage",
    type: "number",
    step: "any",
    required: true,
    inputmode: "decimal",
    value: current === null ? "5" : String(current.coverage / 100),
  });
  const description = h("input", {
    id: uid("holdout-description"),
    name: "description",
    autocomplete: "off",
    value: current?.description ?? "",
  });

  let saved: string | null = null;
  const done = await confirmDialog({
    title: current === null ? "New holdout" : `Edit holdout ${current.name}`,
    body: h(
      "div",
      { class: "fields fields-stacked" },
      current === null
        ? labelledField("Name", name, "Letters, digits, '_', '.' and '-'; it cannot be changed later.")
        : null,
      labelledField(
        "Held out (%)",
        share,
        `The share of actors kept out of every member experiment, up to ${coverage(MAX_HOLDOUT_COVERAGE)}; fixed once a member has run.`,
      ),
      labelledField("Description", description),
    ),
    confirmLabel: current === null ? "Create holdout" : "Save",
    async confirm() {
      const holdout = current?.name ?? name.value.trim();
      if (current === null) {
        const problem = experimentNameProblem(holdout);
        if (problem !== null) throw new FieldError(name, problem);
      }
      const bp = parseCoveragePercent(share.value);
      if (bp === null || bp < 1 || bp > MAX_HOLDOUT_COVERAGE) throw new FieldError(share, COVERAGE_PROBLEM);
      const api = holdoutApi(ctx.session.client);
      if (current === null && (await exists(api, holdout))) {
        throw new FieldError(name, `A holdout named ${holdout} already exists.`);
      }
      // The metrics as they are now, not as the page read them: another operator may have changed them since.
      const metrics = current === null ? [] : (await api.get(holdout)).metrics;
      const definition: HoldoutDefinition = {
        coverage: bp,
        ...(description.value.trim() ? { description: description.value.trim() } : {}),
        ...(metrics.length === 0 ? {} : { metrics }),
      };
      await api.define(holdout, definition);
      saved = holdout;
    },
  });
  return done ? saved : null;
}

async function exists(api: ReturnType<typeof holdoutApi>, holdout: string): Promise<boolean> {
  try {
    await api.get(holdout);
    return true;
  } catch (error) {
    // Not found: the name is free. A name the API refuses is left to the define call to explain.
    if (error instanceof ApiError && (error.code === "not_found" || error.status === 400)) return false;
    throw error;
  }
}
