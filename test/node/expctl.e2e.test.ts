// `expctl` as an operator runs it: the BUILT file (scripts/build-cli.mjs, as `npm install`
// builds it) in a child process, against the real Worker under `wrangler dev`.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.mjs";
import { ExperimentsClient } from "../../src/client";

const TOKEN = "expctl-e2e-token";

let dev: WranglerDev;
let client: ExperimentsClient;
let dir: string;
let cli: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "expctl-e2e-"));
  cli = join(dir, "expctl.mjs");
  execFileSync(process.execPath, ["scripts/build-cli.mjs", cli], { stdio: "pipe" });
  const persistTo = join(dir, "state");
  dev = await startWranglerDev({ token: TOKEN, persistTo, vars: { CONFIG_CACHE_TTL_MS: "0" }, quiet: true });
  client = new ExperimentsClient({ baseUrl: dev.url, token: TOKEN });
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built expctl with `node` (the pinned one unless given), connected to the
 * Worker through the environment, with `stdin` as its standard input (none: closed).
 */
function expctl(
  args: string[],
  options: { env?: Record<string, string>; node?: string; stdin?: string } = {},
): Promise<Outcome> {
  const env = { ...process.env, EXPCTL_URL: dev.url, EXPCTL_TOKEN: TOKEN, EXPCTL_ADMIN_ACTOR: "", ...options.env };
  return new Promise((resolve) => {
    const child = execFile(options.node ?? process.execPath, [cli, ...args], { env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.stdin ?? "");
  });
}

/** Writes an apply file into the test's directory and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Retries `probe` until its outcome exits 0 (config changes reach the edge within about a second). */
async function eventually(probe: () => Promise<Outcome>, ms = 10_000): Promise<Outcome> {
  const deadline = Date.now() + ms;
  for (;;) {
    const outcome = await probe();
    if (outcome.code === 0 || Date.now() > deadline) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The second column of a table's rows (after its header line). */
const column = (table: string, index: number) =>
  table
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(/ {2,}/)[index]);

describe("expctl, built, against the real Worker", () => {
  it("documents its commands and exit codes in --help", async () => {
    const { code, stdout } = await expctl(["--help"]);
    expect(code).toBe(0);
    const commands = [
      "list",
      "show",
      "create",
      "weights",
      "coverage",
      "results",
      "override",
      "lookup",
      "assign",
      "track",
      "layers",
      "holdouts",
      "holdout",
      "webhooks",
      "webhook",
    ];
    for (const command of [...commands, "apply"]) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
    expect(stdout).toContain("1  the API refused");
    expect(stdout).toContain("2  usage error");
    expect(stdout).toContain("3  the Worker could not be reached");
  });

  it("takes an experiment from create to conclude, and shows the history it made", async () => {
    const as = { env: { EXPCTL_ADMIN_ACTOR: "ops@example.com" } };
    const create = await expctl(
      [
        "create",
        "cli_checkout",
        "--variant",
        "control=50",
        "--variant",
        "treatment=50",
        "--description",
        "New checkout flow",
      ],
      as,
    );
    expect(create).toEqual({ code: 0, stdout: "created cli_checkout (draft)\n", stderr: "" });
    expect((await expctl(["start", "cli_checkout"], as)).stdout).toBe("cli_checkout is running\n");
    expect((await expctl(["weights", "cli_checkout", "control=10", "treatment=90"], as)).stdout).toBe(
      "cli_checkout weights: control=10 treatment=90\n",
    );
    expect((await expctl(["override", "set", "cli_checkout", "qa:alice", "treatment"], as)).stdout).toBe(
      "qa:alice sees treatment in cli_checkout (override)\n",
    );
    expect((await expctl(["override", "list", "cli_checkout"])).stdout).toBe(
      "ACTOR     VARIANT\nqa:alice  treatment\n",
    );

    const assigned = await eventually(() => expctl(["assign", "cli_checkout", "--actor", "user:1"]));
    expect(assigned.code).toBe(0);
    expect(assigned.stdout).toMatch(/^variant\s+(control|treatment)$/m);
    expect((await expctl(["lookup", "cli_checkout", "qa:alice"])).stdout).toMatch(
      /^variant\s+treatment\n^override\s+yes$/m,
    );

    expect((await expctl(["conclude", "cli_checkout", "--winner", "treatment"], as)).stdout).toBe(
      "cli_checkout is concluded: everyone sees treatment\n",
    );
    const history = await expctl(["history", "cli_checkout"]);
    expect(history.code).toBe(0);
    expect(column(history.stdout, 1)).toEqual([
      "concluded=treatment",
      "override=qa:alice:treatment",
      "set_weights",
      "state=running",
      "created",
    ]);
    // X-Admin-Actor, after the token's name where the Worker records one (`admin/ops@example.com`).
    expect(column(history.stdout, 2).every((by) => by?.endsWith("ops@example.com"))).toBe(true);
    expect((await expctl(["history", "cli_checkout", "--limit", "2"])).stdout.trim().split("\n")).toHaveLength(3);

    const show = await expctl(["show", "cli_checkout"]);
    expect(show.stdout).toMatch(/^state\s+concluded$/m);
    expect(show.stdout).toMatch(/^winner\s+treatment$/m);
    expect(show.stdout).toMatch(/^treatment\s+90\s+90\.0%$/m);
    expect((await expctl(["list"])).stdout).toMatch(
      /^cli_checkout\s+concluded\s+control=10 treatment=90\s+100%\s+-\s+treatment\s+-$/m,
    );

    // Started again, it keeps its winner field (as the reference does), which no longer applies.
    expect((await expctl(["start", "cli_checkout"], as)).code).toBe(0);
    expect((await client.get("cli_checkout")).winner).toBe("treatment");
    expect((await expctl(["list"])).stdout).toMatch(
      /^cli_checkout\s+running\s+control=10 treatment=90\s+100%\s+-\s+-\s+-$/m,
    );
    expect((await expctl(["show", "cli_checkout"])).stdout).toMatch(/^winner\s+-$/m);

    expect((await expctl(["override", "rm", "cli_checkout", "qa:alice"])).stdout).toBe(
      "removed the override of qa:alice in cli_checkout\n",
    );
    expect((await expctl(["archive", "cli_checkout"])).stdout).toBe("cli_checkout is archived\n");
  });

  it("creates with targeting, coverage and a group, and assigns with attributes", async () => {
    const create = await expctl([
      "create",
      "cli_targeted",
      "--variant",
      "only=1",
      "--target",
      "country in DE,FR",
      "--target",
      "email ends_with/i @example.com",
      "--coverage",
      "10000",
      "--group",
      "cli_group",
    ]);
    expect(create.code).toBe(0);
    expect(await client.get("cli_targeted")).toMatchObject({
      exclusion_group: "cli_group",
      coverage: 10_000,
      targeting: [
        { attribute: "country", operator: "in", values: ["DE", "FR"], case_insensitive: false },
        { attribute: "email", operator: "ends_with", values: ["@example.com"], case_insensitive: true },
      ],
    });
    expect((await expctl(["coverage", "cli_targeted", "5000"])).stdout).toBe("cli_targeted coverage: 5000 bp (50%)\n");
    await expctl(["coverage", "cli_targeted", "10000"]);
    await expctl(["start", "cli_targeted"]);
    const attrs = ["--attr", "country=DE", "--attr", "email=Ann@EXAMPLE.com"];
    const eligible = await eventually(() => expctl(["assign", "cli_targeted", "--actor", "user:9", ...attrs]));
    expect(eligible.stdout).toMatch(/^variant\s+only$/m);
    const refused = await expctl(["assign", "cli_targeted", "--actor", "user:10", "--attr", "country=US"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^not_eligible: /);
  });

  it("creates with hash version 2, and shows the counted results with the SRM verdict", async () => {
    expect(
      (await expctl(["create", "cli_results", "--variant", "a=1", "--variant", "b=1", "--hash-version", "2"])).code,
    ).toBe(0);
    expect((await expctl(["start", "cli_results"])).code).toBe(0);
    for (let i = 0; i < 120; i++) await eventually(() => expctl(["assign", "cli_results", "--actor", `r:${i}`]));
    const counted = await eventually(async () => {
      const outcome = await expctl(["results", "cli_results", "--json"]);
      const enrolled = JSON.parse(outcome.stdout).variants.reduce(
        (n: number, v: { enrolled: number }) => n + v.enrolled,
        0,
      );
      return { ...outcome, code: enrolled === 120 ? 0 : 1 };
    }, 20_000);
    expect(counted.code).toBe(0);
    const human = await expctl(["results", "cli_results"]);
    expect(human.stdout).toMatch(/^VARIANT +WEIGHT +ENROLLED +EXPOSURES +OBSERVED +EXPECTED/);
    expect(human.stdout).toMatch(/SRM: (ok|mismatch) \(chi-square /);
    expect(JSON.parse((await expctl(["show", "cli_results", "--json"])).stdout).hash_version).toBe(2);
  }, 60_000);

  it("tracks events without a token, and results count them per metric with a lift and a decision", async () => {
    const metrics = ["purchase:conversion", "revenue:sum:purchase", "refunds:sum:refund:decrease:guardrail"];
    const create = await expctl([
      "create",
      "cli_outcomes",
      "--variant",
      "control=50",
      "--variant",
      "treatment=50",
      ...metrics.flatMap((metric) => ["--metric", metric]),
    ]);
    expect(create.code).toBe(0);
    expect((await expctl(["start", "cli_outcomes"])).code).toBe(0);
    expect((await expctl(["list"])).stdout).toMatch(/^cli_outcomes\s+running\s+.*\s+purchase revenue refunds$/m);
    const buyers = Array.from({ length: 20 }, (_, i) => `buyer:${i}`);
    await eventually(() => expctl(["assign", "cli_outcomes", "--actor", "buyer:0"]));
    for (const actor of buyers.slice(1)) await client.assign("cli_outcomes", { actor });

    // Public: sent with no token at all. Buyer i spends 10 + i; every fourth also refunds 5.
    const track = (args: string[]) => expctl(["track", ...args], { env: { EXPCTL_TOKEN: "" } });
    for (const [i, actor] of buyers.entries()) {
      const events = i % 4 === 0 ? [`purchase=${10 + i}`, "refund=5"] : [`purchase=${10 + i}`];
      const ids = events.flatMap((event) => ["--id", `${actor}/${event}`]);
      expect(await track([actor, ...events, ...ids])).toEqual({
        code: 0,
        stdout: `accepted ${events.length}\n`,
        stderr: "",
      });
    }
    // Counted nowhere: an id seen before; counted as unattributed: an event from before
    // the actor's enrolment, and one from an actor never enrolled.
    expect((await track(["buyer:1", "purchase=1000", "--id", "buyer:1/purchase=11"])).code).toBe(0);
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    expect((await track(["buyer:2", "purchase=1000", "--id", "early", "--at", anHourAgo])).code).toBe(0);
    expect((await track(["stranger", "purchase=1000", "--json"])).stdout).toBe('{\n  "accepted": 1\n}\n');

    type Metric = { name: string; unattributed: number; variants: { n: number; sum: number }[] };
    const totals = (metric: Metric) => ({
      n: metric.variants.reduce((n, v) => n + v.n, 0),
      sum: metric.variants.reduce((sum, v) => sum + v.sum, 0),
      unattributed: metric.unattributed,
    });
    const expected = {
      purchase: { n: 20, sum: 20, unattributed: 2 },
      revenue: { n: 20, sum: 390, unattributed: 2 },
      refunds: { n: 20, sum: 25, unattributed: 0 },
    };
    let seen: unknown = null;
    const counted = await eventually(async () => {
      const outcome = await expctl(["results", "cli_outcomes", "--json"]);
      const metricsSeen: Metric[] = outcome.code === 0 ? JSON.parse(outcome.stdout).metrics : [];
      seen = Object.fromEntries(metricsSeen.map((metric) => [metric.name, totals(metric)]));
      return { ...outcome, code: JSON.stringify(seen) === JSON.stringify(expected) ? 0 : 1 };
    }, 30_000);
    expect(seen, `the Worker's log:\n${dev.lines.slice(-40).join("\n")}`).toEqual(expected);
    expect(counted.code).toBe(0);

    const human = await expctl(["results", "cli_outcomes"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^analysis: sequential, alpha 0\.05 \(95% intervals/m);
    expect(human.stdout).toContain(
      "purchase: goal, conversion of event purchase, higher is better, 2 events unattributed",
    );
    expect(human.stdout).toContain("revenue: goal, sum of event purchase, higher is better, 2 events unattributed");
    expect(human.stdout).toContain("refunds: GUARDRAIL, sum of event refund, lower is better\n");
    const blocks = human.stdout.split("\n\n").filter((block) => /^\w+: (goal|GUARDRAIL), /.test(block));
    expect(blocks.map((block) => block.slice(0, block.indexOf(":")))).toEqual(["purchase", "revenue", "refunds"]);
    for (const block of blocks) {
      expect(block).toMatch(/^control\s+\d+\s.*\sbaseline$/m);
      expect(block).toMatch(/^treatment\s+\d+\s.*\s(better|worse|inconclusive|not enough data)$/m);
    }
    // Every buyer converted, in both variants: without variance no decision can be made.
    expect(blocks[0]).toMatch(/^treatment\s+\d+\s+100\.00 %\s+-\s+-\s+not enough data$/m);

    const fixed = await expctl(["results", "cli_outcomes", "--method", "fixed", "--alpha", "0.1"]);
    expect(fixed.stdout).toMatch(/^analysis: fixed \(Welch's t test\), alpha 0\.1 \(90% intervals and p-values/m);
    expect(fixed.stdout).toMatch(/^VARIANT\s+N\s+MEAN\s+LIFT\s+90% CI\s+P\s+DECISION$/m);
    const asJson = JSON.parse((await expctl(["results", "cli_outcomes", "--json", "--method", "fixed"])).stdout);
    expect(asJson.analysis).toMatchObject({ method: "fixed", alpha: 0.05, tuning: null });
  }, 90_000);

  it("erases an actor: its assignment and override gone, every time it is asked", async () => {
    expect((await expctl(["create", "cli_erase", "--variant", "a=1", "--variant", "b=1"])).code).toBe(0);
    expect((await expctl(["start", "cli_erase"])).code).toBe(0);
    expect((await expctl(["override", "set", "cli_erase", "person:9", "b"])).code).toBe(0);
    expect(await expctl(["erase", "person:9"])).toEqual({
      code: 0,
      stdout: "erased person:9: its own data is gone; aggregated counts stay\n",
      stderr: "",
    });
    expect((await expctl(["override", "list", "cli_erase"])).stdout).toBe("no overrides\n");
    expect((await expctl(["lookup", "cli_erase", "person:9"])).code).toBe(1);
    expect((await expctl(["erase", "person:9"])).code).toBe(0); // again: the same answer
    expect((await expctl(["erase", "bad\u0007actor"])).code).toBe(2); // refused before sending
  });

  it("records an --admin-actor outside ASCII exactly as given", async () => {
    for (const who of ["José", "ops 😀"]) {
      const outcome = await expctl(["create", "cli_utf8", "--variant", "a=1"], { env: { EXPCTL_ADMIN_ACTOR: who } });
      expect(outcome).toMatchObject({ code: 0, stderr: "" });
    }
    const { history } = await client.history("cli_utf8", { limit: 0 });
    expect(history.map((r) => r.actor)).toEqual(["admin/ops 😀", "admin/José"]);
  });

  it("says which fields replacing a definition changed, coverage reset to its default among them", async () => {
    await expctl(["create", "cli_replace", "--variant", "a=1", "--variant", "b=1", "--coverage", "2500"]);
    const replaced = await expctl(["create", "cli_replace", "--variant", "a=1", "--variant", "b=1"]);
    expect(replaced).toEqual({
      code: 0,
      stdout: "replaced the definition of cli_replace (draft):\n  coverage  2500 → 10000\n",
      stderr: "",
    });
    const again = await expctl(["create", "cli_replace", "--variant", "a=1", "--variant", "b=1"]);
    expect(again.stdout).toBe("replaced the definition of cli_replace (draft): nothing changed\n");
  });

  it("prints exactly the API's JSON with --json, before or after the command", async () => {
    await client.define("cli_json", { variants: [{ name: "a", weight: 1 }], description: "json" });
    expect(JSON.parse((await expctl(["show", "cli_json", "--json"])).stdout)).toEqual(await client.get("cli_json"));
    expect(JSON.parse((await expctl(["--json", "list"])).stdout)).toEqual(await client.list());
    expect(JSON.parse((await expctl(["history", "cli_json", "--json", "--limit", "0"])).stdout)).toEqual(
      await client.history("cli_json", { limit: 0 }),
    );
    const started = JSON.parse((await expctl(["start", "cli_json", "--json"])).stdout);
    expect(started).toEqual(await client.get("cli_json"));
  });

  describe("apply", () => {
    const FILE = `
experiments:
  - name: cli_apply_a
    description: Applied
    variants: [{name: control, weight: 50}, {name: treatment, weight: 50}]
    exclusion_group: cli_apply
    state: running
  - name: cli_apply_b
    variants: [{name: control, weight: 1}, {name: treatment, weight: 1}]
    targeting: [{attribute: plan, operator: in, values: [pro]}]
    coverage: 2500
    state: concluded
    winner: treatment
`;

    it("creates and transitions what the file declares, then plans nothing the second time", async () => {
      const path = file("experiments.yaml", FILE);
      const first = await expctl(["apply", "-f", path]);
      expect(first).toEqual({
        code: 0,
        stdout:
          "create     cli_apply_a: control=50 treatment=50 | group cli_apply | targeting everyone | coverage 10000 | hash version 1\n" +
          "start      cli_apply_a\n" +
          "create     cli_apply_b: control=1 treatment=1 | targeting plan in pro | coverage 2500 | hash version 1\n" +
          "conclude   cli_apply_b: winner treatment\n" +
          "applied 4 step(s)\n",
        stderr: "",
      });
      expect(await client.get("cli_apply_a")).toMatchObject({ state: "running", exclusion_group: "cli_apply" });
      expect(await client.get("cli_apply_b")).toMatchObject({
        state: "concluded",
        winner: "treatment",
        coverage: 2500,
      });

      const before = await Promise.all(
        ["cli_apply_a", "cli_apply_b"].map((name) => client.history(name, { limit: 0 })),
      );
      const second = await expctl(["apply", "-f", path]);
      expect(second).toEqual({ code: 0, stdout: "nothing to do\n", stderr: "" });
      const after = await Promise.all(["cli_apply_a", "cli_apply_b"].map((name) => client.history(name, { limit: 0 })));
      expect(after).toEqual(before);
    });

    it("prints a weights-only change as one step, and changes nothing on --dry-run", async () => {
      await expctl(["apply", "-f", file("base.yaml", FILE)]);
      const path = file(
        "weights.yaml",
        FILE.replace("weight: 50}, {name: treatment, weight: 50}", "weight: 20}, {name: treatment, weight: 80}"),
      );
      const dry = await expctl(["apply", "-f", path, "--dry-run"]);
      expect(dry).toEqual({
        code: 0,
        stdout:
          "weights    cli_apply_a: control=50 treatment=50 → control=20 treatment=80\n" +
          "dry run: 1 step(s) planned, nothing changed\n",
        stderr: "",
      });
      expect((await client.get("cli_apply_a")).variants[0]?.weight).toBe(50);
      expect((await expctl(["apply", "-f", path])).code).toBe(0);
      expect((await client.get("cli_apply_a")).variants[0]?.weight).toBe(20);
      expect((await expctl(["apply", "-f", path])).stdout).toBe("nothing to do\n");
    });

    it("refuses a plan with an impossible step as a whole, exit 1, changing nothing", async () => {
      await expctl(["apply", "-f", file("base2.yaml", FILE)]);
      const path = file(
        "impossible.yaml",
        `experiments:
  - {name: cli_apply_c, variants: [{name: x, weight: 1}]}
  - {name: cli_apply_a, variants: [{name: control, weight: 1}], state: draft}
`,
      );
      const outcome = await expctl(["apply", "-f", path]);
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toBe(
        "create     cli_apply_c: x=1 | targeting everyone | coverage 10000 | hash version 1\n" +
          "impossible cli_apply_a: no call brings an experiment back to draft (running → draft)\n",
      );
      expect(outcome.stderr).toContain("nothing changed");
      await expect(client.get("cli_apply_c")).rejects.toMatchObject({ code: "not_found" });
    });

    it("concludes a draft directly, and refuses to bring it back to draft without saying that it ran", async () => {
      const draft = file("draft.yaml", "experiments:\n  - {name: cli_apply_d, variants: [{name: x, weight: 1}]}\n");
      expect((await expctl(["apply", "-f", draft])).code).toBe(0);
      const concluded = file(
        "concluded.yaml",
        "experiments:\n  - {name: cli_apply_d, variants: [{name: x, weight: 1}], state: concluded, winner: x}\n",
      );
      expect(await expctl(["apply", "-f", concluded])).toEqual({
        code: 0,
        stdout: "conclude   cli_apply_d: winner x\napplied 1 step(s)\n",
        stderr: "",
      });
      expect(await client.get("cli_apply_d")).toMatchObject({ state: "concluded", started_at_secs: null });
      // `expctl conclude` takes a draft too.
      await client.define("cli_conclude_d", { variants: [{ name: "x", weight: 1 }] });
      expect((await expctl(["conclude", "cli_conclude_d", "--winner", "x"])).code).toBe(0);

      for (const name of ["cli_apply_d", "cli_conclude_d"]) {
        const path = file(
          `${name}.yaml`,
          `experiments:\n  - {name: ${name}, variants: [{name: x, weight: 1}], state: draft}\n`,
        );
        const outcome = await expctl(["apply", "-f", path]);
        expect(outcome).toEqual({
          code: 1,
          stdout: `impossible ${name}: no call brings an experiment back to draft (concluded → draft)\n`,
          stderr: "nothing changed: 1 experiment(s) cannot be brought to what the file says\n",
        });
      }
    });

    it("stops at the first call the Worker refuses, exit 1, saying what was applied before it", async () => {
      await expctl(["apply", "-f", file("base3.yaml", FILE)]);
      // Removing a variant that may have assignments is the registry's to refuse (variant_in_use).
      const path = file(
        "refused.yaml",
        FILE.replace(
          "variants: [{name: control, weight: 50}, {name: treatment, weight: 50}]",
          "variants: [{name: control, weight: 1}]",
        ).replace("coverage: 2500", "coverage: 2000"),
      );
      const outcome = await expctl(["apply", "-f", path]);
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toBe(
        "weights    cli_apply_a: control=50 treatment=50 → control=1\n" + "change     cli_apply_b: coverage\n",
      );
      expect(outcome.stderr).toMatch(
        /^stopped at step 1 of 2 \(weights cli_apply_a: .*\), 0 applied before it\nvariant_in_use: /,
      );
      expect((await client.get("cli_apply_b")).coverage).toBe(2500);
    });

    it("applies holdouts before the experiments that join them, with layers, then plans nothing", async () => {
      const text = `
holdouts:
  - {name: cli_apply_h, coverage: 500, metrics: [{name: purchase, kind: conversion}]}
experiments:
  - name: cli_apply_hl
    variants: [{name: control, weight: 50}, {name: treatment, weight: 50}]
    layer: {name: cli_apply_layer, range: [0, 5000]}
    holdout: cli_apply_h
    state: running
`;
      const path = file("holdouts.yaml", text);
      expect(await expctl(["apply", "-f", path, "--dry-run"])).toEqual({
        code: 0,
        stdout:
          "create     holdout cli_apply_h: coverage 500 | metrics purchase:conversion:purchase:increase:goal\n" +
          "create     cli_apply_hl: control=50 treatment=50 | targeting everyone | coverage 10000 | hash version 1 | " +
          "layer cli_apply_layer [0, 5000) | holdout cli_apply_h\n" +
          "start      cli_apply_hl\n" +
          "dry run: 3 step(s) planned, nothing changed\n",
        stderr: "",
      });
      await expect(client.holdout("cli_apply_h")).rejects.toMatchObject({ code: "not_found" });
      expect((await expctl(["apply", "-f", path])).stdout).toMatch(/\napplied 3 step\(s\)\n$/);
      expect(await client.holdout("cli_apply_h")).toMatchObject({ coverage: 500, description: null });
      expect(await client.get("cli_apply_hl")).toMatchObject({
        state: "running",
        holdout: "cli_apply_h",
        layer: { name: "cli_apply_layer", range: [0, 5000] },
      });
      expect(await expctl(["apply", "-f", path])).toEqual({ code: 0, stdout: "nothing to do\n", stderr: "" });

      // Its member has run: the coverage is fixed, and the plan says so before any call.
      const history = await client.holdoutHistory("cli_apply_h", { limit: 0 });
      const coverage = await expctl([
        "apply",
        "-f",
        file("holdouts-coverage.yaml", text.replace("coverage: 500", "coverage: 300")),
      ]);
      expect(coverage).toEqual({
        code: 1,
        stdout:
          "impossible holdout cli_apply_h: coverage can only change while none of the holdout's experiments has run " +
          "('cli_apply_hl' has) (500 → 300)\n",
        stderr: "nothing changed: 1 holdout(s) cannot be brought to what the file says\n",
      });
      expect(await client.holdoutHistory("cli_apply_h", { limit: 0 })).toEqual(history);
      const described = file(
        "holdouts-described.yaml",
        text.replace("coverage: 500,", "coverage: 500, description: Q4,"),
      );
      expect((await expctl(["apply", "-f", described])).stdout).toBe(
        "change     holdout cli_apply_h: description\napplied 1 step(s)\n",
      );
      expect((await client.holdout("cli_apply_h")).description).toBe("Q4");
    });

    it("hands a layer's range from one experiment to another in one file, concluding before it starts", async () => {
      const slice = "layer: {name: cli_apply_handover, range: [0, 5000]}";
      const before = file(
        "handover-1.yaml",
        `experiments:\n  - {name: cli_apply_old, variants: [{name: x, weight: 1}], ${slice}, state: running}\n`,
      );
      expect((await expctl(["apply", "-f", before])).code).toBe(0);
      // The new experiment comes first in the file; its start still comes after the conclude.
      const after = file(
        "handover-2.yaml",
        "experiments:\n" +
          `  - {name: cli_apply_new, variants: [{name: x, weight: 1}], ${slice}, state: running}\n` +
          `  - {name: cli_apply_old, variants: [{name: x, weight: 1}], ${slice}, state: concluded, winner: x}\n`,
      );
      const outcome = await expctl(["apply", "-f", after]);
      expect(outcome).toEqual({
        code: 0,
        stdout:
          "create     cli_apply_new: x=1 | targeting everyone | coverage 10000 | hash version 1 | layer cli_apply_handover [0, 5000)\n" +
          "conclude   cli_apply_old: winner x\n" +
          "start      cli_apply_new\n" +
          "applied 3 step(s)\n",
        stderr: "",
      });
      expect((await client.get("cli_apply_new")).state).toBe("running");
      // A third on an overlapping range cannot start while cli_apply_new runs: impossible, nothing changed.
      const third = file(
        "handover-3.yaml",
        "experiments:\n  - {name: cli_apply_third, variants: [{name: x, weight: 1}], " +
          "layer: {name: cli_apply_handover, range: [4000, 6000]}, state: running}\n",
      );
      expect(await expctl(["apply", "-f", third])).toEqual({
        code: 1,
        stdout:
          "impossible cli_apply_third: its range [4000, 6000) of layer 'cli_apply_handover' overlaps [0, 5000) of " +
          "'cli_apply_new', which would be running (layer_overlap)\n",
        stderr: "nothing changed: 1 experiment(s) cannot be brought to what the file says\n",
      });
      await expect(client.get("cli_apply_third")).rejects.toMatchObject({ code: "not_found" });
    });

    it("reports the plan as JSON with --json", async () => {
      const path = file("json.yaml", "experiments:\n  - {name: cli_apply_json, variants: [{name: x, weight: 1}]}\n");
      const outcome = await expctl(["apply", "-f", path, "--json", "--dry-run"]);
      expect(JSON.parse(outcome.stdout)).toEqual({
        steps: [{ kind: "create", name: "cli_apply_json", definition: { variants: [{ name: "x", weight: 1 }] } }],
        impossible: [],
        applied: 0,
      });
    });

    it("reads the file from standard input with -f -", async () => {
      const piped = "experiments:\n  - {name: cli_apply_stdin, variants: [{name: x, weight: 1}], state: running}\n";
      const outcome = await expctl(["apply", "-f", "-"], { stdin: piped });
      expect(outcome).toEqual({
        code: 0,
        stdout:
          "create     cli_apply_stdin: x=1 | targeting everyone | coverage 10000 | hash version 1\n" +
          "start      cli_apply_stdin\napplied 2 step(s)\n",
        stderr: "",
      });
      expect(await client.get("cli_apply_stdin")).toMatchObject({ state: "running" });
      const invalid = await expctl(["apply", "-f", "-"], { stdin: "experiments: 3\n" });
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toContain("standard input is not a valid experiments file");
    });

    it("exits 2 for a definition the Worker's own rules refuse, whatever is stored, sending nothing", async () => {
      const path = file(
        "refused-definition.yaml",
        "experiments:\n  - {name: cli_apply_e, variants: [{name: x, weight: 1}]}\n  - {name: cli_apply_f, variants: []}\n",
      );
      for (const args of [
        ["apply", "-f", path],
        ["apply", "-f", path, "--dry-run"],
      ]) {
        expect(await expctl(args)).toEqual({
          code: 2,
          stdout: "",
          stderr:
            `error: ${path} is not a valid experiments file:\n` +
            "  experiments[1] (cli_apply_f): an experiment needs at least one variant\n",
        });
      }
      await expect(client.get("cli_apply_e")).rejects.toMatchObject({ code: "not_found" });
    });

    it("exits 2 for a file that is not valid, or not there", async () => {
      const invalid = await expctl(["apply", "-f", file("bad.yaml", "experiments:\n  - name: x\n    variants: 3\n")]);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toContain("experiments[0].variants: must be an array of {name, weight}");
      const missing = await expctl(["apply", "-f", join(dir, "absent.yaml")]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("cannot read");
    });
  });

  describe("holdouts and layers", () => {
    it("sets, lists, shows and removes a holdout, refusing to remove one an experiment names (exit 1)", async () => {
      const set = await expctl([
        "holdout",
        "set",
        "cli_h",
        "--coverage",
        "500",
        "--description",
        "Kept back",
        "--metric",
        "purchase:conversion",
      ]);
      expect(set).toEqual({ code: 0, stdout: "created holdout cli_h: 500 bp (5%) held out\n", stderr: "" });
      expect((await expctl(["create", "cli_h_member", "--variant", "a=1", "--holdout", "cli_h"])).code).toBe(0);
      expect((await expctl(["holdouts"])).stdout).toMatch(/^cli_h\s+5%\s+cli_h_member\s+purchase$/m);
      const show = await expctl(["holdout", "show", "cli_h"]);
      expect(show.stdout).toMatch(/^coverage\s+500 bp \(5%\) held out of every member$/m);
      expect(show.stdout).toMatch(/^members\s+cli_h_member$/m);
      expect(show.stdout).toMatch(/^purchase\s+conversion\s+purchase\s+increase\s+goal$/m);
      expect((await expctl(["show", "cli_h_member"])).stdout).toMatch(/^holdout\s+cli_h$/m);

      // While its member never ran, the coverage may change; a description and metrics not given are removed.
      expect((await expctl(["holdout", "set", "cli_h", "--coverage", "400"])).stdout).toBe(
        "replaced the definition of holdout cli_h:\n" +
          "  coverage     500 → 400\n" +
          '  description  "Kept back" → -\n' +
          "  metrics      purchase:conversion:purchase:increase:goal → none\n",
      );
      expect((await expctl(["start", "cli_h_member"])).code).toBe(0);
      const locked = await expctl(["holdout", "set", "cli_h", "--coverage", "300"]);
      expect(locked).toMatchObject({ code: 1, stdout: "" });
      expect(locked.stderr).toMatch(/^holdout_locked: /);

      expect(await expctl(["holdout", "rm", "cli_h"])).toEqual({
        code: 1,
        stdout: "",
        stderr:
          "holdout_in_use: holdout 'cli_h' is named by experiment 'cli_h_member'; archive them or remove it from their definitions first\n",
      });
      expect((await client.holdout("cli_h")).coverage).toBe(400);
      expect((await expctl(["archive", "cli_h_member"])).code).toBe(0);
      expect(await expctl(["holdout", "rm", "cli_h"])).toEqual({
        code: 0,
        stdout: "removed holdout cli_h\n",
        stderr: "",
      });
      expect(await expctl(["holdout", "show", "cli_h"])).toEqual({
        code: 1,
        stdout: "",
        stderr: "not_found: holdout 'cli_h' not found\n",
      });
      expect(column((await expctl(["holdout", "history", "cli_h"])).stdout, 1)).toEqual([
        "deleted",
        "coverage=400",
        "created",
      ]);
    });

    it("refuses an experiment that names no holdout there is (exit 1)", async () => {
      const outcome = await expctl(["create", "cli_h_ghost", "--variant", "a=1", "--holdout", "cli_h_ghost"]);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/^invalid_config: no holdout named 'cli_h_ghost'/);
      await expect(client.get("cli_h_ghost")).rejects.toMatchObject({ code: "not_found" });
    });

    it("shows a holdout's results as an experiment's, for its arms held_out and exposed", async () => {
      expect((await expctl(["holdout", "set", "cli_hr", "--coverage", "5000"])).code).toBe(0);
      const outcome = await expctl(["holdout", "results", "cli_hr", "--method", "fixed"]);
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toMatch(
        /^holdout cli_hr: 5000 bp \(50%\) held out; exposed is compared with held_out\n\nVARIANT +WEIGHT +ENROLLED/,
      );
      expect(outcome.stdout).toMatch(/^held_out\s+5000\s+0\s+0\s+-\s+50\.00 %$/m);
      expect(outcome.stdout).toMatch(/^exposed\s+5000\s+0\s+0\s+-\s+50\.00 %$/m);
      const asJson = JSON.parse((await expctl(["holdout", "results", "cli_hr", "--json"])).stdout);
      expect(asJson).toMatchObject({ holdout: "cli_hr", coverage: 5000, analysis: { method: "sequential" } });
    });

    it("lists layers with their free ranges, and refuses to start an overlapping experiment (exit 1)", async () => {
      for (const [name, layer] of [
        ["cli_layer_a", "cli_layer:0-5000"],
        ["cli_layer_b", "cli_layer:2500-7500"],
      ] as const) {
        expect((await expctl(["create", name, "--variant", "a=1", "--layer", layer])).code).toBe(0);
      }
      expect((await expctl(["start", "cli_layer_a"])).code).toBe(0);
      const refused = await expctl(["start", "cli_layer_b"]);
      expect(refused).toMatchObject({ code: 1, stdout: "" });
      expect(refused.stderr).toMatch(/^layer_overlap: experiment 'cli_layer_b' cannot run: .*'cli_layer_a'/);
      const layers = await expctl(["layers"]);
      expect(layers.code).toBe(0);
      const block = layers.stdout.split("\n\n").find((text) => text.startsWith("layer cli_layer:"));
      expect(block).toBe(
        "layer cli_layer: free [5000, 10000)\n" +
          "  |AAAAAAAAAAAAAAAAAAAA....................|\n" +
          "  KEY  RANGE         SHARE  EXPERIMENT   STATE\n" +
          "  A    [0, 5000)     50%    cli_layer_a  running\n" +
          "  -    [2500, 7500)  50%    cli_layer_b  draft\n",
      );
      expect((await expctl(["show", "cli_layer_b"])).stdout).toMatch(/^layer\s+cli_layer \[2500, 7500\)$/m);
      expect(JSON.parse((await expctl(["layers", "--json"])).stdout)).toEqual(await client.layers());
    });
  });

  describe("schedules, the automatic stop and webhooks", () => {
    const nowSecs = () => Math.floor(Date.now() / 1000);
    /** `2026-12-06 07:31:00Z`, as show prints a time. */
    const printed = (secs: number) => `${new Date(secs * 1000).toISOString().slice(0, 19).replace("T", " ")}Z`;

    it("creates with a schedule a minute ahead and the automatic stop, shows both, and refuses a past time sending nothing", async () => {
      const [start, conclude] = [nowSecs() + 60, nowSecs() + 120];
      const created = await expctl([
        ...["create", "cli_sched", "--variant", "control=1", "--variant", "treatment=1"],
        ...["--metric", "errors:sum:::guardrail", "--auto-stop", "--winner", "treatment"],
        ...["--start-at", new Date(start * 1000).toISOString(), "--conclude-at", String(conclude)],
      ]);
      const schedule = `start ${printed(start)}, conclude ${printed(conclude)} (winner treatment)`;
      const autoStop = "on: concludes on control when a guardrail (errors) turns worse";
      expect(created).toEqual({
        code: 0,
        stdout: `created cli_sched (draft)\n  schedule   ${schedule}\n  auto stop  ${autoStop}\n`,
        stderr: "",
      });
      const show = await expctl(["show", "cli_sched"]);
      expect(show.stdout).toContain(`\nschedule         ${schedule}\nauto stop        ${autoStop}\n`);
      expect(JSON.parse((await expctl(["show", "cli_sched", "--json"])).stdout)).toMatchObject({
        schedule: { start_at_secs: start, conclude_at_secs: conclude, winner: "treatment" },
        auto_stop: true,
      });

      const past = await expctl([
        ...["create", "cli_sched", "--variant", "control=1", "--variant", "treatment=1"],
        ...["--start-at", new Date((nowSecs() - 60) * 1000).toISOString()],
      ]);
      expect(past).toMatchObject({ code: 2, stdout: "" });
      expect(past.stderr).toMatch(/^error: option '--start-at <time>' argument '.*' is invalid\. '.*' has passed/);
      // Not sent: a definition without the schedule would have cancelled it.
      expect((await client.get("cli_sched")).schedule).toEqual({
        start_at_secs: start,
        conclude_at_secs: conclude,
        winner: "treatment",
      });

      // A manual start cancels the scheduled start; the conclusion stays.
      expect((await expctl(["start", "cli_sched"])).code).toBe(0);
      expect((await expctl(["show", "cli_sched"])).stdout).toMatch(
        new RegExp(`^schedule +conclude ${printed(conclude)} \\(winner treatment\\)$`, "m"),
      );
      expect((await expctl(["archive", "cli_sched"])).code).toBe(0);
      expect((await client.get("cli_sched")).schedule).toBeNull();
    });

    it("applies a file's schedule, lets the Worker fire it, then plans nothing for the same file", async () => {
      const start = nowSecs() + 4;
      const path = file(
        "schedule.yaml",
        "experiments:\n  - name: cli_sched_apply\n    variants: [{name: a, weight: 1}, {name: b, weight: 1}]\n" +
          `    schedule: {start_at_secs: ${new Date(start * 1000).toISOString()}}\n`,
      );
      expect(await expctl(["apply", "-f", path])).toEqual({
        code: 0,
        stdout:
          `create     cli_sched_apply: a=1 b=1 | targeting everyone | coverage 10000 | hash version 1 | schedule start ${printed(start)}\n` +
          "applied 1 step(s)\n",
        stderr: "",
      });
      expect((await expctl(["apply", "-f", path])).stdout).toBe("nothing to do\n");

      const deadline = Date.now() + 20_000;
      while ((await client.get("cli_sched_apply")).state !== "running" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(await client.get("cli_sched_apply")).toMatchObject({ state: "running", schedule: null });
      expect((await client.history("cli_sched_apply")).history[0]).toMatchObject({
        mutation: "state=running",
        actor: "schedule",
      });
      // The start has fired: the file's time has passed, and it asks for nothing more.
      expect(await expctl(["apply", "-f", path])).toEqual({ code: 0, stdout: "nothing to do\n", stderr: "" });
    }, 30_000);

    it("sets, lists, rotates and removes a webhook, printing its secret only on creation and rotation", async () => {
      const url = "https://hooks.example.invalid/expctl";
      const secretLine = /^secret {2}(whsec_[A-Za-z0-9+/]{32})$/m;
      const warning = "store the secret now: it is not shown again (expctl webhook rotate cli_hook makes a new one)\n";
      const created = await expctl(["webhook", "set", "cli_hook", url, "--event", "holdout.updated"]);
      expect(created).toMatchObject({ code: 0, stderr: "" });
      expect(created.stdout).toMatch(/^created webhook cli_hook: https:\/\/hooks\.example\.invalid\/expctl\n/);
      expect(created.stdout).toContain("\n  events  holdout.updated\n");
      expect(created.stdout.endsWith(warning)).toBe(true);
      const first = secretLine.exec(created.stdout)?.[1];

      const list = await expctl(["webhooks"]);
      expect(list.stdout).toMatch(/^cli_hook\s+holdout\.updated\s+https:\/\/hooks\.example\.invalid\/expctl$/m);
      expect(list.stdout).not.toContain("whsec_");
      const listed: Record<string, unknown>[] = JSON.parse(
        (await expctl(["webhook", "list", "--json"])).stdout,
      ).webhooks;
      expect(listed.map((webhook) => webhook.name)).toContain("cli_hook");
      for (const webhook of listed) expect(webhook).not.toHaveProperty("secret");

      const replaced = await expctl(["webhook", "set", "cli_hook", url, "--event", "override.removed"]);
      expect(replaced).toEqual({
        code: 0,
        stdout: "replaced webhook cli_hook (its secret is kept):\n  events  holdout.updated → override.removed\n",
        stderr: "",
      });

      const rotated = await expctl(["webhook", "rotate", "cli_hook"]);
      expect(rotated.stdout).toMatch(/^new secret for webhook cli_hook: the old one signs nothing from now on\n/);
      expect(rotated.stdout.endsWith(warning)).toBe(true);
      const second = secretLine.exec(rotated.stdout)?.[1];
      expect(second).toBeDefined();
      expect(second).not.toBe(first);

      expect(await expctl(["webhook", "rm", "cli_hook"])).toEqual({
        code: 0,
        stdout: "removed webhook cli_hook\n",
        stderr: "",
      });
      expect((await expctl(["webhooks"])).stdout).not.toContain("cli_hook");
      expect(await expctl(["webhook", "rm", "cli_hook"])).toMatchObject({ code: 1, stdout: "" });
    });

    it("prints a created webhook's secret in --json, and the Worker's refusal of http:// with exit 1", async () => {
      const created = JSON.parse(
        (await expctl(["webhook", "set", "cli_hook_json", "https://hooks.example.invalid/j", "--json"])).stdout,
      );
      expect(created).toMatchObject({ name: "cli_hook_json", secret: expect.stringMatching(/^whsec_/) });
      const replaced = JSON.parse(
        (await expctl(["webhook", "set", "cli_hook_json", "https://hooks.example.invalid/k", "--json"])).stdout,
      );
      expect(replaced).toMatchObject({ url: "https://hooks.example.invalid/k" });
      expect(replaced).not.toHaveProperty("secret");
      expect((await expctl(["webhook", "rm", "cli_hook_json"])).code).toBe(0);

      // This Worker runs without WEBHOOK_ALLOW_HTTP.
      const http = await expctl(["webhook", "set", "cli_hook_http", "http://hooks.example.invalid/h"]);
      expect(http).toMatchObject({ code: 1, stdout: "" });
      expect(http.stderr).toMatch(/^invalid_config: webhook url must be https:\/\//);
    });
  });

  describe("exit codes", () => {
    it("exits 1 with code: detail when the API refuses", async () => {
      expect(await expctl(["conclude", "ghost", "--winner", "x"])).toEqual({
        code: 1,
        stdout: "",
        stderr: "not_found: experiment 'ghost' not found\n",
      });
      await client.define("cli_refused", { variants: [{ name: "a", weight: 1 }] });
      const winner = await expctl(["conclude", "cli_refused", "--winner", "zzz"]);
      expect(winner).toEqual({
        code: 1,
        stdout: "",
        stderr: "invalid_config: 'zzz' is not a configured variant of experiment 'cli_refused'\n",
      });
    });

    it("exits 2 for an actor id that a URL path cannot carry, sending nothing", async () => {
      await client.define("cli_dots", { variants: [{ name: "a", weight: 1 }] });
      const before = await client.history("cli_dots", { limit: 0 });
      for (const args of [
        ["lookup", "cli_dots", ".."],
        ["lookup", "cli_dots", "."],
        ["override", "set", "cli_dots", ".", "a"],
        ["override", "set", "cli_dots", "..", "a"],
        ["override", "rm", "cli_dots", ".."],
      ]) {
        const outcome = await expctl(args);
        expect(outcome).toMatchObject({ code: 2, stdout: "" });
        expect(outcome.stderr).toContain("cannot be named in a URL path");
        expect(outcome.stderr).toContain("is a valid actor id for assignment");
      }
      expect(await client.history("cli_dots", { limit: 0 })).toEqual(before);
      expect(await client.get("cli_dots")).toMatchObject({ state: "draft", variants: [{ name: "a", weight: 1 }] });
    });

    it("exits 1 as unauthorized without the token", async () => {
      const outcome = await expctl(["list"], { env: { EXPCTL_TOKEN: "" } });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/^unauthorized: /);
    });

    it.each([
      [["create", "x"], "required option '--variant <name=weight>' not specified"],
      [["weights", "x", "control=ten"], "'control=ten' is not <variant>=<weight>"],
      [["coverage", "x", "12%"], "coverage must be an integer in [0, 10000] basis points, not '12%'"],
      [["coverage", "x", "10001"], "coverage must be an integer in [0, 10000] basis points, not '10001'"],
      [["show", ""], "'' is not a valid name: must match"],
      [["show", ".", "--json"], "'.' is not a valid name"],
      [["show", "bad:name"], "'bad:name' is not a valid name"],
      [["start", ""], "'' is not a valid name"],
      [["history", ""], "'' is not a valid name"],
      [["lookup", "x", ""], "'' is not a valid actor id"],
      [["override", "set", "x", "", "a"], "'' is not a valid actor id"],
      [["create", "", "--variant", "a=1"], "'' is not a valid name"],
      [["create", "x", "--variant", "a=1", "--variant", "a=2"], "duplicate variant name: 'a'"],
      [["--timeout", "0", "list"], "--timeout must be a whole number of milliseconds from 1"],
      [["--admin-actor", "a\tb", "list"], "--admin-actor (or EXPCTL_ADMIN_ACTOR) must be at most 128 characters"],
      [["create", "x", "--variant", "a=1", "--target", "country equals DE"], "unknown operator 'equals'"],
      [["assign", "x", "--actor", "a", "--attr", "nope"], "'nope' is not <name>=<value>"],
      [["frobnicate"], "unknown command 'frobnicate'"],
      [["--url", "localhost:8787", "list"], "is not an http(s) URL"],
    ])("exits 2 on a usage error: %j", async (args, message) => {
      const outcome = await expctl(args);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain(message);
      expect(outcome.stdout).toBe("");
    });

    it("exits 3 when the Worker cannot be reached", async () => {
      const outcome = await expctl(["list"], { env: { EXPCTL_URL: `http://127.0.0.1:${await freePort()}` } });
      expect(outcome.code).toBe(3);
      expect(outcome.stderr).toMatch(
        /^unreachable: GET http:\/\/127\.0\.0\.1:\d+\/v1\/admin\/experiments: fetch failed/,
      );
    });
  });

  // The system's Node (20 on CI) runs the same file: no TypeScript loader, no node_modules.
  const others = otherNodes();
  it.skipIf(others.length === 0)("runs on the other Node versions on PATH too", async () => {
    for (const node of others) {
      const outcome = await expctl(["list"], { node });
      expect(outcome.stderr).toBe("");
      expect(outcome.code).toBe(0);
    }
  });

  it("runs as `npx expctl` in this repository once installed (prepare builds package.json's bin)", async () => {
    // `--no`: never fetch a package of that name from the registry if the local bin were missing.
    const outcome = await new Promise<Outcome>((resolve) => {
      execFile("npx", ["--no", "--", "expctl", "list", "--url", dev.url, "--token", TOKEN], (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
      });
    });
    expect(outcome.stderr).toBe("");
    expect(outcome.stdout).toMatch(/^NAME\s+STATE\s+VARIANTS/);
    expect(outcome.code).toBe(0);
  });
});

/** `node` binaries on PATH other than the one running the tests. */
function otherNodes(): string[] {
  const self = realpathSync(process.execPath);
  const found = new Set<string>();
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "node");
    if (dir !== "" && existsSync(candidate) && realpathSync(candidate) !== self) found.add(realpathSync(candidate));
  }
  return [...found];
}
