import type { ExperimentConfig, Layer, Metric, Variant } from "../../../client";
import { swatch, weightBar } from "../../charts";
import { parseWeight } from "../../checks";
import { type Child, h, uid } from "../../dom";
import {
  allowedActions,
  bpRangeWords,
  condition,
  count,
  coverage,
  parseCoveragePercent,
  percent,
  utc,
  weightShares,
} from "../../format";
import { holdoutHash } from "../../links";
import { canWrite, clearFieldError, showFieldError } from "../../view";
import { autoStopFact, scheduleFact } from "./automation";
import { type DetailPage, panel, refuse, subform } from "./parts";

/**
 * The Configuration panel: what the experiment is and what it will do by itself, and (for
 * a write token, while it is a draft or running) the forms that change its weights and
 * coverage; the schedule and the automatic stop have their controls beside them.
 */
export function configurationSection(page: DetailPage, config: ExperimentConfig): HTMLElement {
  const editable = canWrite(page.ctx) && allowedActions(config.state).edit;
  return panel(
    "Configuration",
    {},
    facts(page, config),
    editable ? [weightsForm(page, config), coverageForm(page, config)] : null,
  );
}

function facts(page: DetailPage, config: ExperimentConfig): HTMLElement {
  const row = (term: string, ...details: Child[]) => [h("dt", null, term), h("dd", null, details)];
  const muted = (text: string) => h("span", { class: "muted" }, text);
  return h(
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
      config.coverage === 10_000 ? null : muted(` (${count(config.coverage)} bp)`),
    ),
    row("Metrics", config.metrics.length === 0 ? muted("none") : metricsList(config.metrics)),
    row("Exclusion group", config.exclusion_group ?? muted("none")),
    config.layer === null ? null : row("Layer", layerFact(config.layer)),
    config.holdout === null ? null : row("Holdout", h("a", { href: holdoutHash(config.holdout) }, config.holdout)),
    row("Scheduled", scheduleFact(page, config)),
    row("Auto-stop on guardrails", autoStopFact(page, config)),
    row("Hash version", config.hash_version === 1 ? "v1 (FNV-1a 64)" : "v2 (FNV-1a 64, fmix64-finalized)"),
    row("Revision", String(config.revision)),
    row("Started", config.started_at_secs === null ? muted("never") : utc(config.started_at_secs)),
    row("Updated", utc(config.updated_at_secs)),
  );
}

/** `checkout, 0% to 40% of the layer`: the layer's name and the experiment's range of its hash. */
function layerFact(layer: Layer): Child[] {
  return [h("strong", null, layer.name), `, ${bpRangeWords(layer.range)} of the layer`];
}

/**
 * Each metric with what it listens to and which way is better; guardrails marked. Read-only:
 * metrics change with the definition (`expctl apply`, the API). A holdout's page lists its own.
 */
export function metricsList(metrics: readonly Metric[]): HTMLElement {
  return h(
    "ul",
    { class: "conditions" },
    metrics.map((m) =>
      h(
        "li",
        null,
        h("code", null, m.name),
        ` ${m.kind} of `,
        h("code", null, m.event),
        `, ${m.direction === "increase" ? "higher" : "lower"} is better`,
        m.role === "guardrail" ? [" ", h("span", { class: "badge badge-guardrail" }, "guardrail")] : null,
      ),
    ),
  );
}

interface WeightField {
  variant: Variant;
  input: HTMLInputElement;
  share: HTMLOutputElement;
  error: HTMLElement;
}

function weightField(variant: Variant): WeightField {
  return {
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
  };
}

/** Each field's weight, or `null` where the engine would refuse it (its words then show on that field). */
function checkWeights(fields: readonly WeightField[]): (number | null)[] {
  return fields.map(({ variant, input, error }) => {
    const parsed = parseWeight(variant.name, input.value);
    if ("problem" in parsed) {
      showFieldError(error, input, parsed.problem);
      return null;
    }
    clearFieldError(error, input);
    return parsed.weight;
  });
}

/** Checks the weights as they are typed, and shows each one's share (none while one is not a weight). */
function showShares(fields: readonly WeightField[]): void {
  const weights = checkWeights(fields);
  const shares = weights.every((w) => w !== null)
    ? weightShares(fields.map(({ variant }, i) => ({ name: variant.name, weight: weights[i] ?? 0 })))
    : null;
  fields.forEach(({ share }, i) => {
    share.textContent = shares === null ? "—" : percent(shares[i] ?? 0);
  });
}

function weightsForm(page: DetailPage, config: ExperimentConfig): HTMLElement {
  const fields = config.variants.map(weightField);
  showShares(fields);
  return subform(
    page,
    {
      title: "Edit weights",
      hint: "New actors follow the new weights; actors already assigned keep their variant.",
      input: () => showShares(fields),
      check: () => {
        const weights = checkWeights(fields);
        const refused = fields.find((_, i) => weights[i] === null);
        if (refused !== undefined) {
          refused.input.focus();
          return null;
        }
        const variants = fields.map(({ variant }, i) => ({ name: variant.name, weight: weights[i] ?? 0 }));
        return {
          run: () => page.ctx.session.client.setWeights(config.name, variants),
          done: `Saved the weights of ${config.name}.`,
        };
      },
    },
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
}

function coverageForm(page: DetailPage, config: ExperimentConfig): HTMLElement {
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
  return subform(
    page,
    {
      title: "Edit coverage",
      hint: "The share of eligible new actors that may enter; actors already enrolled stay.",
      check: (errors) => {
        const bp = parseCoveragePercent(input.value);
        if (bp === null) return refuse(errors, input, "Coverage is a percentage from 0 to 100.");
        clearFieldError(errors, input);
        return {
          run: () => page.ctx.session.client.setCoverage(config.name, bp),
          done: `Coverage of ${config.name} set to ${coverage(bp)}.`,
        };
      },
    },
    h(
      "div",
      { class: "fields" },
      h("div", { class: "field" }, h("label", { for: input.id }, "Coverage (%)"), input),
      h("button", { type: "submit", class: "button" }, "Save coverage"),
    ),
  );
}
