// The scripts that drive a running Worker (smoke, load, HTTP benchmark, profile) talk to it through
// the project's typed client (src/client), bundled for Node on first import; plus a
// poller, and a checker that counts passed and failed checks and prints the closing
// "N passed, N failed" line.
import { bundleForNode } from "./bundle.mjs";

const { ApiError, ExperimentsClient, NetworkError } = await import(
  await bundleForNode("src/client/index.ts", ".bench/client.mjs")
);

export { ApiError, NetworkError };

/**
 * The typed client for `base`, with the admin `token`. It never retries: a script that
 * checks for 5xx answers must see every one. Its methods throw `ApiError` on a refusal;
 * `request(route, …)` answers `{ ok, status, headers, body }` whatever the status.
 */
export function client(base, token) {
  return new ExperimentsClient({
    baseUrl: base,
    token,
    adminActor: "smoke@example.com",
    retry: false,
    timeout: 60_000,
  });
}

/** Two variants, half and half. */
export const FIFTY_FIFTY = {
  variants: [
    { name: "control", weight: 50 },
    { name: "treatment", weight: 50 },
  ],
};

/**
 * The measuring scripts' experiments: each of `running` defined 50/50 and started, and
 * `concluded` concluded on `treatment`; resolves once the edge answers that winner,
 * that is once the configs have reached it.
 */
export async function runningAndConcluded(api, running, concluded) {
  for (const name of [...running, concluded]) {
    await api.define(name, FIFTY_FIFTY);
    await api.start(name);
  }
  await api.conclude(concluded, "treatment");
  const published = await eventually(
    async () => (await orNull(api.assign(concluded, { actor: "x" })))?.variant === "treatment",
  );
  if (!published) throw new Error("the configs never reached the edge");
}

/**
 * An experiment's counted enrolments and exposures, summed over its variants, and the
 * sums of its metrics over variants and metrics (GET …/results).
 */
export async function countedTotals(api, experiment) {
  const { variants, metrics } = await api.results(experiment);
  return {
    enrolled: variants.reduce((sum, v) => sum + v.enrolled, 0),
    exposures: variants.reduce((sum, v) => sum + v.exposures, 0),
    tracked: metrics.reduce((sum, m) => sum + m.variants.reduce((s, v) => s + v.sum, 0), 0),
  };
}

/** Resolves with what `call` resolves with, or `null` when the Worker refuses (a network failure still rejects). */
export async function orNull(call) {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiError) return null;
    throw error;
  }
}

/** Polls `probe` until it returns true, for at most `ms`. */
export async function eventually(probe, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function checker(name) {
  let passed = 0;
  let failed = 0;
  return {
    check(condition, what, detail) {
      if (condition) passed++;
      else {
        failed++;
        console.error(`FAIL ${what}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
      }
      return condition;
    },
    get failed() {
      return failed;
    },
    finish() {
      console.log(`${name}: ${passed} passed, ${failed} failed`);
      return failed === 0 ? 0 : 1;
    },
  };
}
