import { ApiError, type ExperimentConfig } from "../../../client";
import { type ScheduleField, scheduleProblem } from "../../checks";
import { type DefinitionChange, definitionWith } from "../../definition";
import { confirmDialog, FieldError } from "../../dialog";
import { type Child, h, uid } from "../../dom";
import { parseUtcInput, scheduleWords, utc, utcInputValue } from "../../format";
import { canWrite } from "../../view";
import type { DetailPage } from "./parts";

/**
 * What an experiment does by itself, in its Configuration panel: its schedule ("Starts …,
 * concludes … with treatment") and whether a guardrail stops it, each with (for a write
 * token, while it is not archived) the controls that change it. Neither has a route of its
 * own: both go through the definition `PUT`, carrying every other field as it is now
 * (`definitionWith`).
 */

/** Whether the token may change what the experiment does by itself (an archived one is frozen). */
function changeable(page: DetailPage, config: ExperimentConfig): boolean {
  return canWrite(page.ctx) && config.state !== "archived";
}

/** The definition `PUT` of `change`, on the experiment as it is now (another operator may have changed it since the page read it). */
async function redefine(page: DetailPage, name: string, change: DefinitionChange): Promise<void> {
  const client = page.ctx.session.client;
  await client.define(name, definitionWith(await client.get(name), change));
}

function factActions(...buttons: Child[]): HTMLElement {
  return h("span", { class: "fact-actions" }, buttons);
}

function smallButton(label: string, click: () => void): HTMLElement {
  return h("button", { type: "button", class: "button button-small", on: { click } }, label);
}

/** The "Scheduled" fact: the schedule in words, and Edit schedule / Clear schedule. */
export function scheduleFact(page: DetailPage, config: ExperimentConfig): Child[] {
  const words = h("span", { class: "fact-text" }, scheduleWords(config.schedule));
  if (!changeable(page, config)) return [words];
  const clear = () =>
    void page.act({
      run: () => redefine(page, config.name, { schedule: null }),
      done: `Cleared the schedule of ${config.name}.`,
    });
  return [
    words,
    factActions(
      smallButton("Edit schedule", () => void scheduleDialog(page, config)),
      config.schedule === null ? null : smallButton("Clear schedule", clear),
    ),
  ];
}

/** The "Auto-stop on guardrails" fact: on or off (and whether there is a guardrail to watch), and the switch. */
export function autoStopFact(page: DetailPage, config: ExperimentConfig): Child[] {
  const guardrails = config.metrics.filter((m) => m.role === "guardrail").length;
  const note =
    guardrails === 0
      ? " (no metric is a guardrail: nothing to watch)"
      : config.auto_stop
        ? " (concludes on the first variant once a guardrail gets worse)"
        : null;
  const words = h(
    "span",
    { class: "fact-text" },
    config.auto_stop ? "on" : "off",
    note === null ? null : h("span", { class: "muted" }, note),
  );
  if (!changeable(page, config)) return [words];
  const on = !config.auto_stop;
  const toggle = () =>
    void page.act({
      run: () => redefine(page, config.name, { auto_stop: on }),
      done: `Auto-stop on guardrails is now ${on ? "on" : "off"} for ${config.name}.`,
    });
  return [words, factActions(smallButton(on ? "Turn auto-stop on" : "Turn auto-stop off", toggle))];
}

/** A datetime-local field read as UTC, keeping a scheduled time to the second while it is left as it was. */
interface TimeField {
  input: HTMLInputElement;
  /** UNIX seconds, `null` when empty. @throws {FieldError} a date or time only half typed */
  read(): number | null;
}

function timeField(name: string, at: number | null): TimeField {
  const shown = at === null ? "" : utcInputValue(at);
  const input = h("input", { type: "datetime-local", id: uid(`schedule-${name}`), name, value: shown });
  return {
    input,
    read() {
      if (input.validity.badInput) throw new FieldError(input, "Complete the date and the time, or clear the field.");
      // Unchanged: the time as scheduled, seconds and all (the field shows minutes).
      if (at !== null && input.value === shown) return at;
      return parseUtcInput(input.value);
    },
  };
}

function labelled(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const hintId = uid("schedule-hint");
  if (hint) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: control.id }, label),
    control,
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null,
  );
}

/**
 * The "Schedule" dialog: when to start, when to conclude and on which winner, each time
 * typed in UTC. The engine's rules are checked before anything is sent (`scheduleProblem`,
 * against the browser's clock); the API judges against its own, and a refusal of a part
 * shows on that part's field in the API's words.
 */
async function scheduleDialog(page: DetailPage, config: ExperimentConfig): Promise<void> {
  const current = config.schedule;
  const start = timeField("start_at_secs", current?.start_at_secs ?? null);
  const conclude = timeField("conclude_at_secs", current?.conclude_at_secs ?? null);
  const winner = h(
    "select",
    { id: uid("schedule-winner"), name: "winner" },
    h("option", { value: "" }, "No conclusion"),
    config.variants.map((v) => h("option", { value: v.name, selected: v.name === current?.winner }, v.name)),
  );
  const fields: Record<ScheduleField, HTMLElement> = {
    start_at_secs: start.input,
    conclude_at_secs: conclude.input,
    winner,
  };
  let cleared = false;
  const saved = await confirmDialog({
    title: `Schedule ${config.name}`,
    body: [
      h(
        "p",
        { class: "dialog-intro" },
        `Times are UTC, not your local time (it is now ${utc(Math.floor(Date.now() / 1000))}). Leave a time empty to schedule nothing for it. A manual start cancels the scheduled start; concluding or archiving cancels the whole schedule.`,
      ),
      h(
        "div",
        { class: "fields fields-stacked" },
        labelled("Start at (UTC)", start.input, "Starts a draft or a concluded experiment."),
        labelled("Conclude at (UTC)", conclude.input, "Concludes a draft or a running experiment."),
        labelled("Winner at the conclusion", winner, "Everyone gets it once it concludes."),
      ),
    ],
    confirmLabel: "Save schedule",
    async confirm() {
      const schedule = { start_at_secs: start.read(), conclude_at_secs: conclude.read(), winner: winner.value || null };
      const problem = scheduleProblem(schedule, config.variants, Math.floor(Date.now() / 1000));
      if (problem !== null) throw new FieldError(fields[problem.field], problem.problem);
      cleared = schedule.start_at_secs === null && schedule.conclude_at_secs === null;
      try {
        await redefine(page, config.name, { schedule: cleared ? null : schedule });
      } catch (error) {
        throw refusedField(error, fields) ?? error;
      }
    },
  });
  if (saved)
    await page.changed(cleared ? `Cleared the schedule of ${config.name}.` : `Saved the schedule of ${config.name}.`);
}

/** The API's refusal of one part of the schedule (its pointer `/schedule/<part>`), on that part's field, in its words. */
function refusedField(error: unknown, fields: Record<ScheduleField, HTMLElement>): FieldError | null {
  if (!(error instanceof ApiError)) return null;
  const pointer = error.errors.find((e) => e.pointer?.startsWith("/schedule/"))?.pointer;
  const field = Object.entries(fields).find(([part]) => pointer === `/schedule/${part}`)?.[1];
  return field === undefined ? null : new FieldError(field, error.detail);
}
