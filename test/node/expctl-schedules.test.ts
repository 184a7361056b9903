// Schedules and the automatic stop in expctl, without a Worker: the time parsers, how
// `apply` reads a file's schedule at a moment (passed parts done, moot parts dropped or
// refused), how they are printed, and `create`/`show` in process with a fake fetch.
import { describe, expect, it } from "vitest";
import { parseApplyFile } from "../../src/cli/apply-file";
import { parseScheduleTime, timeSeconds } from "../../src/cli/args";
import { stepLine } from "../../src/cli/commands/apply";
import { UsageError } from "../../src/cli/errors";
import { autoStopText, definitionChanges, experimentDetails, scheduleText } from "../../src/cli/format";
import { run } from "../../src/cli/main";
import { type DesiredExperiment, plan } from "../../src/cli/plan";
import { pendingSchedule } from "../../src/cli/schedules";
import type { ExperimentConfig } from "../../src/client";
import { experimentConfig } from "../../src/core";
import { expctl, json } from "./support/expctl";

const FIFTY = [
  { name: "control", weight: 50 },
  { name: "treatment", weight: 50 },
];

/** The moment the planner's cases are read at, and times around it. */
const NOW = 1_900_000_000;
const START = NOW + 3600;
const CONCLUDE = NOW + 86_400;

function stored(name: string, fields: Partial<ExperimentConfig> = {}): ExperimentConfig {
  const state = fields.state ?? "draft";
  return {
    ...experimentConfig(name, FIFTY),
    updated_at_secs: 1_800_000_000,
    started_at_secs: state === "draft" ? null : 1_800_000_000,
    ...fields,
  };
}

function want(name: string, fields: Partial<DesiredExperiment> = {}): DesiredExperiment {
  return { name, definition: { variants: FIFTY }, ...fields };
}

/** A desired experiment with this schedule (and other definition fields). */
function scheduled(
  schedule: { start_at_secs?: number | null; conclude_at_secs?: number | null; winner?: string | null },
  fields: Partial<DesiredExperiment> = {},
  definition: Partial<DesiredExperiment["definition"]> = {},
): DesiredExperiment {
  return want("a", { ...fields, definition: { variants: FIFTY, schedule, ...definition } });
}

const both = { start_at_secs: START, conclude_at_secs: CONCLUDE, winner: "treatment" };

describe("schedule times", () => {
  it("reads ISO 8601 with its zone, or UNIX seconds, as whole seconds", () => {
    expect(timeSeconds("2030-01-01T09:00:00Z")).toBe(1_893_488_400);
    expect(timeSeconds("2030-01-01 10:00:00+01:00")).toBe(1_893_488_400);
    expect(timeSeconds("2030-01-01T09:00:00.900Z")).toBe(1_893_488_400);
    expect(timeSeconds("1893488400")).toBe(1_893_488_400);
    for (const text of ["2030-01-01T09:00:00", "2030-02-30T09:00:00Z", "tomorrow", "-5", ""]) {
      expect(timeSeconds(text), text).toBeNull();
    }
  });

  it("takes --start-at and --conclude-at only after now, saying when now is", () => {
    expect(parseScheduleTime("1900000001", NOW)).toBe(NOW + 1);
    expect(parseScheduleTime("2030-03-17T17:46:41Z", NOW)).toBe(NOW + 1);
    expect(() => parseScheduleTime("1900000000", NOW)).toThrow(
      "'1900000000' has passed (now is 2030-03-17 17:46:40Z): a schedule's times are in the future",
    );
    expect(() => parseScheduleTime("2026-01-01T00:00:00Z", NOW)).toThrow(UsageError);
    expect(() => parseScheduleTime("next week", NOW)).toThrow("is neither an ISO 8601 time with its zone");
  });
});

describe("apply's planner: schedules", () => {
  it("creates an experiment with its schedule, then plans nothing while nothing has fired", () => {
    const first = plan([], [scheduled(both)], undefined, NOW);
    expect(first).toEqual({
      steps: [{ kind: "create", name: "a", definition: { variants: FIFTY, schedule: both } }],
      impossible: [],
    });
    expect(plan([stored("a", { schedule: both })], [scheduled(both)], undefined, NOW).steps).toEqual([]);
  });

  it("plans nothing once the start has fired, nor once the conclusion has", () => {
    const started = stored("a", {
      state: "running",
      schedule: { start_at_secs: null, conclude_at_secs: CONCLUDE, winner: "treatment" },
    });
    expect(plan([started], [scheduled(both)], undefined, START + 60)).toEqual({ steps: [], impossible: [] });
    const concluded = stored("a", { state: "concluded", winner: "treatment", schedule: null });
    expect(plan([concluded], [scheduled(both)], undefined, CONCLUDE + 60)).toEqual({ steps: [], impossible: [] });
  });

  it("does not put back a scheduled start that a manual start cancelled, but keeps the conclusion", () => {
    // Started by hand an hour early: the Worker dropped the start and kept the conclusion.
    const early = stored("a", {
      state: "running",
      schedule: { start_at_secs: null, conclude_at_secs: CONCLUDE, winner: "treatment" },
    });
    expect(plan([early], [scheduled(both)], undefined, NOW).steps).toEqual([]);
    // Concluded by hand: the Worker dropped the whole schedule, and the conclusion would do nothing now.
    const concluded = stored("a", { state: "concluded", winner: "control", schedule: null });
    expect(plan([concluded], [scheduled({ conclude_at_secs: CONCLUDE, winner: "treatment" })], undefined, NOW)).toEqual(
      { steps: [], impossible: [] },
    );
  });

  it("compares a stored part whose time has passed as fired, though the alarm has not fired it yet", () => {
    const due = stored("a", { schedule: { start_at_secs: START, conclude_at_secs: null, winner: null } });
    expect(plan([due], [scheduled({ start_at_secs: START })], undefined, START + 1).steps).toEqual([]);
  });

  it("moves a state the file names on by the parts that have passed, so a fired start is no return to draft", () => {
    const started = stored("a", {
      state: "running",
      schedule: { start_at_secs: null, conclude_at_secs: CONCLUDE, winner: "treatment" },
    });
    expect(plan([started], [scheduled(both, { state: "draft" })], undefined, START + 60)).toEqual({
      steps: [],
      impossible: [],
    });
    // The start was skipped (the history says why): the file's timeline asks for running.
    const skipped = stored("a", { schedule: { start_at_secs: null, conclude_at_secs: CONCLUDE, winner: "treatment" } });
    expect(plan([skipped], [scheduled(both, { state: "draft" })], undefined, START + 60).steps).toEqual([
      { kind: "start", name: "a" },
    ]);
    // Both passed: concluded on the schedule's winner.
    const concluded = stored("a", { state: "concluded", winner: "treatment" });
    expect(plan([concluded], [scheduled(both, { state: "running" })], undefined, CONCLUDE).steps).toEqual([]);
  });

  it("starts now and keeps a conclusion to come for a file that says running", () => {
    const conclusion = { conclude_at_secs: CONCLUDE, winner: "treatment" };
    const sent = { start_at_secs: null, ...conclusion };
    expect(plan([], [scheduled(conclusion, { state: "running" })], undefined, NOW).steps).toEqual([
      { kind: "create", name: "a", definition: { variants: FIFTY, schedule: sent } },
      { kind: "start", name: "a" },
    ]);
    const running = stored("a", { state: "running", schedule: sent });
    expect(plan([running], [scheduled(conclusion, { state: "running" })], undefined, NOW).steps).toEqual([]);
  });

  it("refuses a part to come that the state the file names makes moot, saying what to do", () => {
    const result = plan([], [scheduled(both, { state: "running" })], undefined, NOW);
    expect(result.steps).toEqual([]);
    expect(result.impossible).toEqual([
      {
        name: "a",
        reason:
          "its schedule's start at 2030-03-17 18:46:40Z would do nothing to an experiment running by then: " +
          "leave state out, or make it draft or concluded, to start it then, or remove the start",
      },
    ]);
    const archived = plan([], [scheduled({ conclude_at_secs: CONCLUDE, winner: "control" }, { state: "archived" })]);
    expect(archived.impossible[0]?.reason).toMatch(/^its schedule's conclusion at .* archived by then/);
  });

  it("sends a schedule to come again after a conclusion, which cancels the whole schedule", () => {
    const restart = { start_at_secs: START };
    const sent = { variants: FIFTY, schedule: { start_at_secs: START, conclude_at_secs: null, winner: null } };
    const running = stored("a", { state: "running" });
    const declared = { state: "concluded", winner: "control" } as const;
    expect(plan([running], [scheduled(restart, declared)], undefined, NOW).steps).toEqual([
      { kind: "conclude", name: "a", winner: "control" },
      { kind: "define", name: "a", definition: sent, changed: ["schedule"] },
    ]);
    // Another field changes too: the definition goes before (the winner may be a new variant) and again after.
    const described = plan([running], [scheduled(restart, declared, { description: "x" })], undefined, NOW).steps;
    expect(described.map((step) => [step.kind, "changed" in step ? step.changed : null])).toEqual([
      ["define", ["description"]],
      ["conclude", null],
      ["define", ["schedule"]],
    ]);
  });

  it("replaces a stored schedule the file changes or leaves out, since a definition replaces the whole", () => {
    const current = stored("a", { schedule: both });
    const later = { ...both, start_at_secs: START + 60 };
    expect(plan([current], [scheduled(later)], undefined, NOW).steps).toEqual([
      { kind: "define", name: "a", definition: { variants: FIFTY, schedule: later }, changed: ["schedule"] },
    ]);
    expect(plan([current], [want("a")], undefined, NOW).steps).toEqual([
      { kind: "define", name: "a", definition: { variants: FIFTY }, changed: ["schedule"] },
    ]);
  });

  it("turns the automatic stop on and off with a definition PUT", () => {
    const on = want("a", { definition: { variants: FIFTY, auto_stop: true } });
    expect(plan([stored("a", { state: "running" })], [on]).steps).toEqual([
      { kind: "define", name: "a", definition: on.definition, changed: ["auto_stop"] },
    ]);
    expect(plan([stored("a", { auto_stop: true })], [want("a")]).steps.map((s) => s.kind)).toEqual(["define"]);
    expect(plan([stored("a", { auto_stop: true })], [on]).steps).toEqual([]);
  });

  it("counts an experiment whose start has passed as running in its layer", () => {
    const layer = (start: number, end: number) => ({ name: "l", range: [start, end] as [number, number] });
    const a = stored("a", { state: "running", layer: layer(0, 5000) });
    const fired = scheduled({ start_at_secs: START }, { state: "draft" }, { layer: layer(0, 5000) });
    const b = want("b", { state: "running", definition: { variants: FIFTY, layer: layer(2500, 7500) } });
    const result = plan([a], [fired, b], undefined, START + 1);
    expect(result.impossible.map((entry) => entry.name)).toEqual(["b"]);
  });

  it("says what a create's schedule and automatic stop are", () => {
    const definition = { variants: FIFTY, schedule: both, auto_stop: true };
    expect(stepLine({ kind: "create", name: "a", definition })).toBe(
      "create     a: control=50 treatment=50 | targeting everyone | coverage 10000 | hash version 1 | " +
        "schedule start 2030-03-17 18:46:40Z, conclude 2030-03-18 17:46:40Z (winner treatment) | auto stop on",
    );
  });

  it("reads a stored schedule without its passed parts", () => {
    expect(pendingSchedule(both, NOW)).toEqual(both);
    expect(pendingSchedule(both, START)).toEqual({ ...both, start_at_secs: null });
    expect(pendingSchedule(both, CONCLUDE)).toBeNull();
    expect(pendingSchedule({ start_at_secs: START, conclude_at_secs: null, winner: null }, START)).toBeNull();
    expect(pendingSchedule(null, NOW)).toBeNull();
  });
});

describe("the apply file: schedules", () => {
  const entry = (schedule: string, extra = "") =>
    `experiments:\n  - name: a\n    variants: [{name: control, weight: 1}, {name: treatment, weight: 1}]\n    schedule: ${schedule}\n${extra}`;

  it("reads times as UNIX seconds or ISO 8601 text with its zone, quoted or not, and auto_stop", () => {
    const file = parseApplyFile(
      entry(
        '{start_at_secs: 2030-01-01T09:00:00Z, conclude_at_secs: "2030-01-02 10:00:00+01:00", winner: treatment}',
        "    auto_stop: true\n",
      ),
      "f.yaml",
    );
    expect(file.experiments[0]?.definition).toMatchObject({
      schedule: { start_at_secs: 1_893_488_400, conclude_at_secs: 1_893_574_800, winner: "treatment" },
      auto_stop: true,
    });
    expect(parseApplyFile(entry("{start_at_secs: 1893488400}"), "f.yaml").experiments[0]?.definition.schedule).toEqual({
      start_at_secs: 1_893_488_400,
    });
  });

  it("keeps times that have passed (they count as fired), and refuses what no time makes right", () => {
    expect(() => parseApplyFile(entry("{start_at_secs: 2001-01-01T00:00:00Z}"), "f.yaml")).not.toThrow();
    const refused = (schedule: string) => () => parseApplyFile(entry(schedule), "f.yaml");
    expect(refused("{start_at_secs: tomorrow}")).toThrow(
      "experiments[0].schedule.start_at_secs: must be UNIX seconds or an ISO 8601 time with its zone",
    );
    expect(refused("{start_at_secs: 1, at: 2}")).toThrow("experiments[0].schedule.at: must be an object");
    expect(refused("{conclude_at_secs: 1900000000}")).toThrow(
      "experiments[0] (a): schedule.winner is required with conclude_at_secs",
    );
    expect(refused("{start_at_secs: 1900000000, conclude_at_secs: 1800000000, winner: control}")).toThrow(
      "schedule.conclude_at_secs must be after start_at_secs",
    );
    expect(refused("{conclude_at_secs: 1900000000, winner: nobody}")).toThrow(
      "schedule.winner 'nobody' is not a configured variant",
    );
    expect(refused("{start_at_secs: 1900000000.5}")).toThrow("schedule.start_at_secs must be whole UNIX seconds");
  });
});

describe("printing schedules and the automatic stop", () => {
  const config = stored("a", {
    metrics: [
      { name: "purchase", event: "purchase", kind: "conversion", direction: "increase", role: "goal" },
      { name: "errors", event: "errors", kind: "sum", direction: "decrease", role: "guardrail" },
    ],
  });

  it("writes a schedule's times as --start-at reads them back", () => {
    expect(scheduleText(both)).toBe("start 2030-03-17 18:46:40Z, conclude 2030-03-18 17:46:40Z (winner treatment)");
    expect(scheduleText({ start_at_secs: START, conclude_at_secs: null, winner: null })).toBe(
      "start 2030-03-17 18:46:40Z",
    );
    expect(scheduleText(null)).toBe("none");
    expect(timeSeconds("2030-03-17 18:46:40Z")).toBe(START);
  });

  it("says what the automatic stop concludes on, and when there is nothing for it to stop on", () => {
    expect(autoStopText(config)).toBe("off");
    expect(autoStopText({ ...config, auto_stop: true })).toBe(
      "on: concludes on control when a guardrail (errors) turns worse",
    );
    expect(autoStopText({ ...config, auto_stop: true, metrics: [] })).toBe(
      "on, but no metric is a guardrail: nothing to stop on",
    );
  });

  it("shows both in an experiment's details, and says when a replacement changed them", () => {
    const details = experimentDetails({ ...config, schedule: both, auto_stop: true });
    expect(details).toMatch(/^schedule\s+start 2030-03-17 18:46:40Z, conclude .* \(winner treatment\)$/m);
    expect(details).toMatch(/^auto stop\s+on: concludes on control/m);
    expect(experimentDetails(config)).toMatch(/^schedule\s+none\n^auto stop\s+off$/m);
    expect(definitionChanges({ ...config, schedule: both, auto_stop: true }, config)).toEqual([
      ["schedule", "start 2030-03-17 18:46:40Z, conclude 2030-03-18 17:46:40Z (winner treatment) → none"],
      ["auto stop", "on → off"],
    ]);
  });
});

describe("create and show on the command line: schedules", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const iso = (secs: number) => new Date(secs * 1000).toISOString();

  const notFound = () => json(404, { type: "t", title: "t", status: 404, code: "not_found", detail: "no" })();
  const created = (fields: Partial<ExperimentConfig>) => json(201, stored("tg", fields));

  it("sends --start-at, --conclude-at with --winner, and --auto-stop in the definition, and says what it scheduled", async () => {
    const [start, conclude] = [now() + 3600, now() + 7200];
    const schedule = { start_at_secs: start, conclude_at_secs: conclude, winner: "treatment" };
    const outcome = await expctl(
      [
        ...["create", "tg", "--variant", "control=50", "--variant", "treatment=50"],
        ...["--start-at", iso(start), "--conclude-at", String(conclude), "--winner", "treatment", "--auto-stop"],
      ],
      [notFound, created({ schedule, auto_stop: true })],
    );
    expect(outcome.code).toBe(0);
    expect(JSON.parse(outcome.sent[1]?.body ?? "null")).toEqual({ variants: FIFTY, schedule, auto_stop: true });
    expect(outcome.stdout).toBe(
      "created tg (draft)\n" +
        `  schedule   ${scheduleText(schedule)}\n` +
        "  auto stop  on, but no metric is a guardrail: nothing to stop on\n",
    );
  });

  it.each([
    [["--start-at", "2020-01-01T00:00:00Z"], "'2020-01-01T00:00:00Z' has passed (now is "],
    [["--start-at", "1"], "'1' has passed"],
    [["--start-at", "2030-01-01T09:00:00"], "is neither an ISO 8601 time with its zone"],
    [["--winner", "a"], "--winner goes with --conclude-at"],
    [["--conclude-at", "4102444800"], "--conclude-at needs --winner"],
    [
      ["--start-at", "4102448400", "--conclude-at", "4102444800", "--winner", "a"],
      "--conclude-at (2100-01-01 00:00:00Z) must be after --start-at (2100-01-01 01:00:00Z)",
    ],
    [["--conclude-at", "4102444800", "--winner", "c"], "schedule.winner 'c' is not a configured variant"],
  ])("refuses %j with exit 2, sending nothing", async (options, message) => {
    const outcome = await expctl(["create", "tg", "--variant", "a=1", "--variant", "b=1", ...options]);
    expect(outcome.stderr).toContain(message);
    expect(outcome).toMatchObject({ code: 2, stdout: "", sent: [] });
  });

  it("says that a replacement without --start-at cancels the stored schedule", async () => {
    const schedule = { start_at_secs: now() + 3600, conclude_at_secs: null, winner: null };
    const outcome = await expctl(
      ["create", "tg", "--variant", "control=50", "--variant", "treatment=50"],
      [json(200, stored("tg", { schedule })), json(200, stored("tg"))],
    );
    expect(outcome.stdout).toBe(
      `replaced the definition of tg (draft):\n  schedule  ${scheduleText(schedule)} → none\n`,
    );
  });

  it("plans nothing for a file whose scheduled start has fired, sending only the two reads", async () => {
    const [past, conclude] = [now() - 60, now() + 3600];
    const file =
      "experiments:\n  - name: tg\n    variants: [{name: control, weight: 50}, {name: treatment, weight: 50}]\n" +
      `    schedule: {start_at_secs: ${iso(past)}, conclude_at_secs: ${conclude}, winner: treatment}\n`;
    const running = stored("tg", {
      state: "running",
      schedule: { start_at_secs: null, conclude_at_secs: conclude, winner: "treatment" },
    });
    const sent: string[] = [];
    let stdout = "";
    const code = await run(["apply", "-f", "x.yaml"], {
      env: { EXPCTL_URL: "http://worker.test" },
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      readFile: async () => file,
      readStdin: async () => file,
      fetch: async (url, init) => {
        sent.push(`${init.method} ${url}`);
        const body = url.endsWith("/holdouts") ? { holdouts: [] } : { experiments: [running] };
        return json(200, body)();
      },
    });
    expect({ code, stdout }).toEqual({ code: 0, stdout: "nothing to do\n" });
    expect(sent.sort()).toEqual([
      "GET http://worker.test/v1/admin/experiments",
      "GET http://worker.test/v1/admin/holdouts",
    ]);
  });
});
