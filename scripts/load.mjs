// `npm run load [-- --duration 60 --concurrency 16 --actors 500]`: a bounded load and
// soak test against `wrangler dev --persist-to`. Mixed traffic — single and batch
// assignments, weight changes, overrides set and removed, an exclusion group, an
// experiment concluded mid-run — then checks, and exits non-zero on any breach:
//   no 5xx and no transport errors; no sticky violation (an actor's variant changed other
//   than by an override or the conclusion); no exclusion violation (checked live and
//   against the admin assignment lookup); exposure lines logged == exposures the
//   responses reported (X-Exposures); the counted results (GET …/results, through the
//   events queue) equal what the client saw: exposures = successful assignments,
//   enrolled = actors given a non-override variant; and, after a restart on the same
//   directory, every assignment seen is still stored. The Worker runs with its sticky
//   cache and signed sticky tokens on, and the clients keep and send their tokens.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checker, client, countedTotals, eventually } from "./lib/client.mjs";
import { startWranglerDev } from "./lib/wrangler-dev.mjs";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "60" },
    concurrency: { type: "string", default: "16" },
    actors: { type: "string", default: "500" },
  },
});
const durationMs = Number(args.duration) * 1000;
const concurrency = Number(args.concurrency);
const actorCount = Number(args.actors);
const TOKEN = "load-admin-token";
const GROUP = ["load-a", "load-b"];
const REWEIGHTED = "load-c";
const CONCLUDED = "load-d";
const WINNER = "treatment";
const EXPERIMENTS = [...GROUP, REWEIGHTED, CONCLUDED];

const persistTo = mkdtempSync(join(tmpdir(), "edge-experiments-load-"));
const { check, finish } = checker("load");
const vars = { STICKY_SECRET: "load-sticky-secret" };
let dev = await startWranglerDev({ token: TOKEN, persistTo, quiet: true, vars });
let api = client(dev.url, TOKEN);

/** Each actor's sticky token, sent back as a browser sends its cookie. */
const tokens = new Map();
const withToken = (actor) => (tokens.has(actor) ? { "x-experiment-sticky": tokens.get(actor) } : {});
const keepToken = (actor, response) => {
  const token = response.headers.get("x-experiment-sticky");
  if (token !== null) tokens.set(actor, token);
  return response;
};
// Whole answers (status, headers, body), whatever the status: the load test counts them all.
const assign = async (experiment, actor) =>
  keepToken(
    actor,
    await api.request("assign", { params: { experiment }, query: { actor }, headers: withToken(actor) }),
  );
const assignBatch = async (actor, experiments) =>
  keepToken(actor, await api.request("assignBatch", { body: { actor, experiments }, headers: withToken(actor) }));
const lookup = (name, actor) => api.request("getAssignment", { params: { name, actor } });

const stats = { requests: 0, ok: 0, clientErrors: 0, serverErrors: 0, transportErrors: 0, exposures: 0 };
const errorCodes = new Map();
const seen = new Map(); // "experiment|actor" → { variant, stored }
const stickyViolations = [];
const exclusionViolations = [];
const overrideViolations = [];
let concludeSentAt = Number.POSITIVE_INFINITY;
/** Successful assignments per experiment, counted by the client from the answers. */
const successes = new Map();
/** Actors given a non-override variant, per experiment: each was enrolled exactly once. */
const enrolledActors = new Map();
function succeeded(experiment, actor, isOverride) {
  successes.set(experiment, (successes.get(experiment) ?? 0) + 1);
  if (isOverride) return;
  if (!enrolledActors.has(experiment)) enrolledActors.set(experiment, new Set());
  enrolledActors.get(experiment).add(actor);
}

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const actorName = () => `user:${Math.floor(Math.random() * actorCount)}`;

/** Records one successful assignment of a normal (non-QA) actor and checks stickiness. */
function observe(experiment, actor, variant, isOverride, exposed, sentAt) {
  if (isOverride) overrideViolations.push({ experiment, actor, why: "override answer for an actor without override" });
  const key = `${experiment}|${actor}`;
  const before = seen.get(key);
  if (before === undefined) {
    // A concluded experiment answers without storing anything.
    const stored = experiment !== CONCLUDED || (exposed && sentAt < concludeSentAt);
    seen.set(key, { variant, stored });
  } else if (before.variant !== variant) {
    const byConclusion = experiment === CONCLUDED && variant === WINNER && sentAt >= concludeSentAt;
    if (!byConclusion) stickyViolations.push({ key, before: before.variant, after: variant });
  }
  if (GROUP.includes(experiment)) {
    const sibling = GROUP.find((e) => e !== experiment);
    if (seen.has(`${sibling}|${actor}`)) exclusionViolations.push({ actor, experiments: GROUP });
  }
}

async function send(fn) {
  stats.requests++;
  try {
    const response = await fn();
    if (response.status >= 500) stats.serverErrors++;
    else if (response.status >= 400) {
      stats.clientErrors++;
      const code = response.body?.code ?? response.status;
      errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
    } else stats.ok++;
    stats.exposures += Number(response.headers.get("x-exposures") ?? 0);
    return response;
  } catch {
    stats.transportErrors++;
    return null;
  }
}

async function single() {
  const experiment = pick(EXPERIMENTS);
  const actor = actorName();
  const sentAt = Date.now();
  const r = await send(() => assign(experiment, actor));
  if (r?.status === 200) {
    succeeded(experiment, actor, r.body.is_override);
    observe(experiment, actor, r.body.variant, r.body.is_override, r.headers.get("x-exposures") === "1", sentAt);
  }
}

async function batch() {
  const actor = actorName();
  const order = [...EXPERIMENTS].sort(() => Math.random() - 0.5);
  const sentAt = Date.now();
  const r = await send(() => assignBatch(actor, order));
  if (r?.status !== 200) return;
  for (const [experiment, a] of Object.entries(r.body.assignments)) {
    // In a batch the running experiments are exactly the ones that may expose; a
    // concluded answer is the winner and is never stored.
    if (a.variant === undefined) continue;
    succeeded(experiment, actor, a.is_override);
    observe(experiment, actor, a.variant, a.is_override, experiment !== CONCLUDED, sentAt);
  }
}

/**
 * Each worker owns one QA actor, so its override expectations cannot race. An actor the
 * edge already knows is answered from its sticky cache or token until the override
 * reaches it with the config snapshot (a few seconds at most, see "Consistency"), so
 * the answer must turn to the override, and back after its removal, within that time.
 */
const PROPAGATION_MS = 5_000;
async function overrideCycle(worker) {
  const actor = `qa:${worker}`;
  const variant = pick(["control", "treatment"]);
  await send(() => api.request("setOverride", { params: { name: REWEIGHTED, actor }, body: { variant } }));
  const pinned = await answerWhen(actor, (body) => body.is_override && body.variant === variant);
  if (!pinned) overrideViolations.push({ actor, expected: variant, why: "override not honoured in time" });
  await send(() => api.request("removeOverride", { params: { name: REWEIGHTED, actor } }));
  const freed = await answerWhen(actor, (body) => !body.is_override);
  if (!freed) overrideViolations.push({ actor, why: "override outlived removal" });
}

/** Assigns `actor` in REWEIGHTED until `holds` (true), or the propagation bound passes (false). */
async function answerWhen(actor, holds) {
  const deadline = Date.now() + PROPAGATION_MS;
  while (Date.now() < deadline) {
    const r = await send(() => assign(REWEIGHTED, actor));
    if (r?.status === 200) {
      succeeded(REWEIGHTED, actor, r.body.is_override);
      if (holds(r.body)) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function reweight() {
  const control = Math.floor(Math.random() * 101);
  await send(() =>
    api.request("setWeights", {
      params: { name: REWEIGHTED },
      body: {
        variants: [
          { name: "control", weight: control },
          { name: "treatment", weight: 100 - control },
        ],
      },
    }),
  );
}

async function adminRead() {
  await send(() =>
    Math.random() < 0.5
      ? api.request("listExperiments", {})
      : api.request("history", { params: { name: REWEIGHTED }, query: { limit: 10 } }),
  );
}

async function worker(index, deadline) {
  while (Date.now() < deadline) {
    const r = Math.random();
    if (r < 0.55) await single();
    else if (r < 0.85) await batch();
    else if (r < 0.92) await overrideCycle(index);
    else if (r < 0.96) await reweight();
    else await adminRead();
  }
}

try {
  const fifty = {
    variants: [
      { name: "control", weight: 50 },
      { name: "treatment", weight: 50 },
    ],
  };
  for (const name of EXPERIMENTS) {
    const definition = GROUP.includes(name) ? { ...fifty, exclusion_group: "load-group" } : fifty;
    check((await api.define(name, definition)).created, `create ${name}`);
    check((await api.start(name)).state === "running", `start ${name}`);
  }
  // The readiness probe's one successful assignment logs an exposure too.
  let probeExposures = 0;
  const reached = await eventually(async () => {
    const probe = await assign(CONCLUDED, "probe");
    probeExposures += Number(probe.headers.get("x-exposures") ?? 0);
    return probe.status === 200;
  }, 15_000);
  check(reached, "the experiments reach the edge");
  const start = Date.now();
  const deadline = start + durationMs;
  const conclusion = (async () => {
    await new Promise((r) => setTimeout(r, durationMs / 2));
    concludeSentAt = Date.now();
    await send(() => api.request("concludeExperiment", { params: { name: CONCLUDED }, body: { winner: WINNER } }));
  })();
  await Promise.all([...Array.from({ length: concurrency }, (_, i) => worker(i, deadline)), conclusion]);
  const elapsed = (Date.now() - start) / 1000;

  // Exposures are written after the responses (waitUntil) and reach wrangler's output
  // later still: wait for them, then a moment more so that an excess would show too.
  const exposureLines = () => dev.lines.filter((line) => line.includes('"event":"experiment_exposure"'));
  const loggedExposures = () => exposureLines().length - probeExposures;
  await eventually(async () => loggedExposures() >= stats.exposures, 15_000);
  await new Promise((r) => setTimeout(r, 1000));
  const logged = loggedExposures();

  console.log(
    `\n${stats.requests} requests in ${elapsed.toFixed(1)} s (${(stats.requests / elapsed).toFixed(0)}/s), ` +
      `${concurrency} workers, ${actorCount} actors, ${seen.size} (experiment, actor) pairs seen`,
  );
  console.log(`ok ${stats.ok}, 4xx ${stats.clientErrors} ${JSON.stringify(Object.fromEntries(errorCodes))}`);
  check(stats.serverErrors === 0, "zero 5xx", stats.serverErrors);
  check(stats.transportErrors === 0, "zero transport errors", stats.transportErrors);
  check(stickyViolations.length === 0, "zero sticky violations", stickyViolations.slice(0, 5));
  check(overrideViolations.length === 0, "overrides honoured, and gone once removed", overrideViolations.slice(0, 5));
  check(exclusionViolations.length === 0, "zero exclusion violations in responses", exclusionViolations.slice(0, 5));
  check(logged === stats.exposures, `exposure lines logged (${logged}) == exposures reported (${stats.exposures})`);
  // Independently of the Worker's own count: for every experiment that ran throughout,
  // one exposure line per successful assignment the client saw.
  const loggedPer = new Map();
  for (const line of exposureLines()) {
    const { experiment } = JSON.parse(line.slice(line.indexOf("{")));
    loggedPer.set(experiment, (loggedPer.get(experiment) ?? 0) + 1);
  }
  for (const experiment of [...GROUP, REWEIGHTED]) {
    const expected = successes.get(experiment) ?? 0;
    const got = loggedPer.get(experiment) ?? 0;
    check(got === expected, `${experiment}: exposure lines (${got}) == successful assignments (${expected})`);
    // The counted results, through the events queue and the stats object.
    const counted = await countedTotals(api, experiment);
    const enrolled = enrolledActors.get(experiment)?.size ?? 0;
    check(counted.exposures === expected, `${experiment}: results exposures (${counted.exposures}) == ${expected}`);
    check(counted.enrolled === enrolled, `${experiment}: results enrolled (${counted.enrolled}) == ${enrolled} actors`);
  }

  let inBoth = 0;
  for (let i = 0; i < actorCount; i++) {
    const lookups = await Promise.all(GROUP.map((e) => lookup(e, `user:${i}`)));
    if (lookups.every((l) => l.status === 200)) inBoth++;
  }
  check(inBoth === 0, "zero exclusion violations in the stored assignments", inBoth);

  await dev.stop();
  dev = await startWranglerDev({ token: TOKEN, persistTo, quiet: true, vars });
  api = client(dev.url, TOKEN);
  const stored = [...seen].filter(([, s]) => s.stored);
  let kept = 0;
  for (let i = 0; i < stored.length; i += concurrency) {
    const slice = stored.slice(i, i + concurrency);
    const lookups = await Promise.all(
      slice.map(([key]) => {
        const [experiment, actor] = key.split("|");
        return lookup(experiment, actor);
      }),
    );
    lookups.forEach((l, j) => {
      if (l.status === 200 && l.body.variant === slice[j][1].variant) kept++;
    });
  }
  check(kept === stored.length, `after a restart, all ${stored.length} stored assignments are there`, kept);
} catch (error) {
  check(false, "load run threw", String(error?.stack ?? error));
} finally {
  await dev.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
process.exit(finish());
