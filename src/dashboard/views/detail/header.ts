import { type ExperimentConfig, type ExperimentResults, winnerInForce } from "../../../client";
import { swatch } from "../../charts";
import { confirmDialog } from "../../dialog";
import { h, uid } from "../../dom";
import { allowedActions, count } from "../../format";
import { canWrite, stateBadge } from "../../view";
import type { DetailPage, Loaded } from "./parts";

/**
 * The page's header: the name, state, winner and description, and the actions (for a
 * write token) or a note that there are none. The Conclude dialog shows each variant's
 * enrolments from `results`, when they could be read.
 */
export function headerParts(
  page: DetailPage,
  config: ExperimentConfig,
  results: Loaded<ExperimentResults>,
): HTMLElement[] {
  const winner = winnerInForce(config);
  return [
    h(
      "div",
      { class: "title-row" },
      h("h1", { id: "view-title", tabindex: "-1" }, config.name),
      stateBadge(config.state),
      winner !== null ? h("span", { class: "winner" }, "winner: ", h("strong", null, winner)) : null,
    ),
    config.description ? h("p", { class: "description" }, config.description) : null,
    ...(canWrite(page.ctx) ? actions(page, config, results) : [readOnly(page)]),
  ].filter((part) => part !== null);
}

function refreshButton(page: DetailPage): HTMLElement {
  const click = () => void page.refresh({ clearNotices: true });
  return h("button", { type: "button", class: "button", on: { click } }, "Refresh");
}

function readOnly(page: DetailPage): HTMLElement {
  const note = `Read-only token (${page.ctx.session.identity.name}): no actions.`;
  return h("div", { class: "actions" }, h("p", { class: "muted read-only" }, note), refreshButton(page));
}

function actions(page: DetailPage, config: ExperimentConfig, results: Loaded<ExperimentResults>): HTMLElement[] {
  const allowed = allowedActions(config.state);
  const action = (label: string, enabled: boolean, onClick: () => void, extra = "") =>
    h("button", { type: "button", class: `button ${extra}`, disabled: !enabled, on: { click: onClick } }, label);
  const start = { run: () => page.ctx.session.client.start(config.name), done: `Started ${config.name}.` };
  const parts = [
    h(
      "div",
      { class: "actions", role: "group", "aria-label": "Actions" },
      action("Start", allowed.start, () => void page.act(start), "button-primary"),
      action("Conclude", allowed.conclude, () => void concludeDialog(page, config, results)),
      action("Archive", allowed.archive, () => void archiveDialog(page, config), "button-danger-outline"),
      refreshButton(page),
    ),
  ];
  if (config.state === "archived") {
    parts.push(h("p", { class: "muted" }, "Archived experiments are frozen: nothing can be changed."));
  }
  return parts;
}

/** The winner's radio buttons, each with the variant's enrolments where they are known. */
function winnerChoices(config: ExperimentConfig, enrolled: ReadonlyMap<string, number>): HTMLElement {
  return h(
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
}

async function concludeDialog(
  page: DetailPage,
  config: ExperimentConfig,
  results: Loaded<ExperimentResults>,
): Promise<void> {
  const enrolled = new Map((results.ok ? results.value.variants : []).map((v) => [v.name, v.enrolled]));
  let winner = "";
  const concluded = await confirmDialog({
    title: `Conclude ${config.name}`,
    body: [
      h(
        "p",
        null,
        "Everyone gets the winner from now on, and no more exposures are logged. The experiment can be started again later.",
      ),
      winnerChoices(config, enrolled),
    ],
    confirmLabel: "Confirm",
    confirm: async (form) => {
      winner = String(new FormData(form).get("winner") ?? "");
      await page.ctx.session.client.conclude(config.name, winner);
    },
  });
  if (concluded) await page.changed(`Concluded ${config.name}: everyone gets ${winner}.`);
}

async function archiveDialog(page: DetailPage, config: ExperimentConfig): Promise<void> {
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
      await page.ctx.session.client.archive(config.name);
    },
  });
  if (archived) await page.changed(`Archived ${config.name}.`);
}
