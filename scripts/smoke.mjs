// `npm run smoke`: the real Worker under `wrangler dev --persist-to`, driven over HTTP
// from an empty state to a concluded experiment, then restarted on the same directory
// to prove that every experiment, history entry and sticky assignment survived.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checker, client, eventually } from "./lib/client.mjs";
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
  };

  check((await api.admin("PUT", "/experiments/checkout_v2", fifty)).status === 201, "create checkout_v2");
  check((await api.admin("POST", "/experiments/checkout_v2/start")).body?.state === "running", "start");
  check(
    await eventually(async () => (await api.assign("checkout_v2", "user:1")).status === 200),
    "the running experiment reaches the edge",
  );
  check(
    (await api.assign("checkout_v2", "user:1")).body?.variant === "control",
    "user:1 gets control (reference fixture)",
  );

  const actors = Array.from({ length: 200 }, (_, i) => `user:${i}`);
  const first = new Map();
  for (const actor of actors) first.set(actor, (await api.assign("checkout_v2", actor)).body?.variant);
  const split = [...first.values()].filter((v) => v === "control").length;
  check(split > 60 && split < 140, "200 actors split roughly 50/50", split);

  const flipped = {
    variants: [
      { name: "control", weight: 0 },
      { name: "treatment", weight: 100 },
    ],
  };
  check((await api.admin("PUT", "/experiments/checkout_v2/weights", flipped)).status === 200, "set weights 0/100");
  // New actors follow the new weights once the coalesced publish lands (within about a
  // second). Each probe asks 20 fresh actors (one answered early would stay sticky), and
  // all 20 must get "treatment": by chance under the old 50/50 that is one in a million.
  let probe = 0;
  const allTreatment = async () => {
    const variants = await Promise.all(
      Array.from({ length: 20 }, async () => (await api.assign("checkout_v2", `new-user:${probe++}`)).body?.variant),
    );
    return variants.every((v) => v === "treatment");
  };
  check(await eventually(allTreatment), "new actors follow the new weights");
  let unchanged = 0;
  for (const actor of actors)
    if ((await api.assign("checkout_v2", actor)).body?.variant === first.get(actor)) unchanged++;
  check(unchanged === actors.length, "sticky assignments survive the weight change", unchanged);

  check(
    (await api.admin("PUT", "/experiments/checkout_v2/overrides/qa:1", { variant: "control" })).status === 200,
    "override",
  );
  const qa = await api.assign("checkout_v2", "qa:1");
  check(qa.body?.variant === "control" && qa.body?.is_override === true, "the override wins", qa.body);

  check(
    (await api.admin("POST", "/experiments/checkout_v2/conclude", { winner: "treatment" })).status === 200,
    "conclude",
  );
  check(
    await eventually(async () => (await api.assign("checkout_v2", "user:1")).body?.variant === "treatment"),
    "everyone sees the winner after conclusion",
  );

  const before = {
    experiments: (await api.admin("GET", "/experiments")).body,
    history: (await api.admin("GET", "/experiments/checkout_v2/history?limit=0")).body,
    overrides: (await api.admin("GET", "/experiments/checkout_v2/overrides")).body,
  };
  const mutations = before.history?.history?.map((r) => r.mutation).join(",");
  check(
    mutations === "concluded=treatment,override=qa:1:control,set_weights,state=running,created",
    "history records every mutation, newest first",
    mutations,
  );

  await dev.stop();
  dev = await startWranglerDev({ token: TOKEN, persistTo, vars: { CONFIG_CACHE_TTL_MS: "0" }, quiet });
  api = client(dev.url, TOKEN);

  const after = {
    experiments: (await api.admin("GET", "/experiments")).body,
    history: (await api.admin("GET", "/experiments/checkout_v2/history?limit=0")).body,
    overrides: (await api.admin("GET", "/experiments/checkout_v2/overrides")).body,
  };
  check(
    JSON.stringify(after) === JSON.stringify(before),
    "experiments, history and overrides survive a restart",
    after,
  );
  let kept = 0;
  for (const actor of actors) {
    const lookup = await api.admin("GET", `/experiments/checkout_v2/assignments/${encodeURIComponent(actor)}`);
    if (lookup.status === 200 && lookup.body?.variant === first.get(actor)) kept++;
  }
  check(kept === actors.length, "every sticky assignment survives a restart", kept);
  check((await api.assign("checkout_v2", "user:7")).body?.variant === "treatment", "the edge still serves the winner");
} catch (error) {
  check(false, "smoke run threw", String(error?.stack ?? error));
} finally {
  await dev.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
process.exit(finish());
