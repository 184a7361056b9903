// `npm run smoke`: the real Worker under `wrangler dev --persist-to`, driven over HTTP
// from an empty state to a concluded experiment, then restarted on the same directory
// to prove that every experiment, history entry, sticky assignment and counted metric
// survived.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checker, client, eventually, orNull } from "./lib/client.mjs";
import { startWranglerDev } from "./lib/wrangler-dev.mjs";

const TOKEN = "smoke-admin-token";
const persistTo = mkdtempSync(join(tmpdir(), "edge-experiments-smoke-"));
const { check, finish } = checker("smoke");
const quiet = !process.argv.includes("--verbose");
let dev = await startWranglerDev({ token: TOKEN, persistTo, vars: { CONFIG_CACHE_TTL_MS: "0" }, quiet });

try {
  let api = client(dev.url, TOKEN);
  const fifty = {
    variants: [
      { name: "control", weight: 50 },
      { name: "treatment", weight: 50 },
    ],
    metrics: [{ name: "revenue", event: "purchase", kind: "sum" }],
  };

  check((await api.define("checkout_v2", fifty)).created, "create checkout_v2");
  check((await api.start("checkout_v2")).state === "running", "start");
  check(
    await eventually(async () => (await orNull(api.assign("checkout_v2", { actor: "user:1" }))) !== null),
    "the running experiment reaches the edge",
  );
  check(
    (await api.assign("checkout_v2", { actor: "user:1" })).variant === "control",
    "user:1 gets control (reference fixture)",
  );

  const actors = Array.from({ length: 200 }, (_, i) => `user:${i}`);
  const first = new Map();
  for (const actor of actors) first.set(actor, (await api.assign("checkout_v2", { actor })).variant);
  const split = [...first.values()].filter((v) => v === "control").length;
  check(split > 60 && split < 140, "200 actors split roughly 50/50", split);

  // Each actor buys once: 10 in control, 20 in treatment; each sent twice under one id.
  for (const actor of actors) {
    const order = { event: "purchase", value: first.get(actor) === "control" ? 10 : 20, id: `order-${actor}` };
    await api.track({ actor, events: [order] });
    await api.track({ actor, events: [order] });
  }
  const revenue = async () => (await api.results("checkout_v2")).metrics[0]?.variants.map((v) => v.sum).join(",");
  const wanted = `${10 * split},${20 * (actors.length - split)}`;
  check(
    await eventually(async () => (await revenue()) === wanted),
    "tracked purchases counted once each, per variant",
    await revenue(),
  );

  const flipped = {
    variants: [
      { name: "control", weight: 0 },
      { name: "treatment", weight: 100 },
    ],
  };
  check((await api.setWeights("checkout_v2", flipped.variants)).variants[1]?.weight === 100, "set weights 0/100");
  // New actors follow the new weights once the coalesced publish lands (within about a
  // second). Each probe asks 20 fresh actors (one answered early would stay sticky), and
  // all 20 must get "treatment": by chance under the old 50/50 that is one in a million.
  let probe = 0;
  const allTreatment = async () => {
    const variants = await Promise.all(
      Array.from(
        { length: 20 },
        async () => (await api.assign("checkout_v2", { actor: `new-user:${probe++}` })).variant,
      ),
    );
    return variants.every((v) => v === "treatment");
  };
  check(await eventually(allTreatment), "new actors follow the new weights");
  let unchanged = 0;
  for (const actor of actors)
    if ((await api.assign("checkout_v2", { actor })).variant === first.get(actor)) unchanged++;
  check(unchanged === actors.length, "sticky assignments survive the weight change", unchanged);

  check((await api.setOverride("checkout_v2", "qa:1", "control")).variant === "control", "override");
  const qa = await api.assign("checkout_v2", { actor: "qa:1" });
  check(qa.variant === "control" && qa.is_override === true, "the override wins", qa);

  check((await api.conclude("checkout_v2", "treatment")).state === "concluded", "conclude");
  check(
    await eventually(
      async () => (await orNull(api.assign("checkout_v2", { actor: "user:1" })))?.variant === "treatment",
    ),
    "everyone sees the winner after conclusion",
  );

  /** Everything the registry keeps about the experiment, as the admin API shows it. */
  const snapshot = async () => ({
    experiments: await api.list(),
    history: await api.history("checkout_v2", { limit: 0 }),
    overrides: await api.overrides("checkout_v2"),
    metrics: (await api.results("checkout_v2")).metrics,
  });
  const before = await snapshot();
  const mutations = before.history.history.map((r) => r.mutation).join(",");
  check(
    mutations === "concluded=treatment,override=qa:1:control,set_weights,state=running,created",
    "history records every mutation, newest first",
    mutations,
  );

  await dev.stop();
  dev = await startWranglerDev({ token: TOKEN, persistTo, vars: { CONFIG_CACHE_TTL_MS: "0" }, quiet });
  api = client(dev.url, TOKEN);

  const after = await snapshot();
  check(
    JSON.stringify(after) === JSON.stringify(before),
    "experiments, history, overrides and metric sums survive a restart",
    after,
  );
  let kept = 0;
  for (const actor of actors) {
    const lookup = await orNull(api.assignment("checkout_v2", actor));
    if (lookup?.variant === first.get(actor)) kept++;
  }
  check(kept === actors.length, "every sticky assignment survives a restart", kept);
  check(
    (await api.assign("checkout_v2", { actor: "user:7" })).variant === "treatment",
    "the edge still serves the winner",
  );
} catch (error) {
  check(false, "smoke run threw", String(error?.stack ?? error));
} finally {
  await dev.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
process.exit(finish());
