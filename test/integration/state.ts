import { env } from "cloudflare:workers";
import { admin, ok } from "./helpers";

/**
 * Everything observable about the given experiments and actors, read through the
 * public admin API and the published KV snapshot: used to prove that a request
 * changed nothing.
 */
export async function observableState(experiments: string[], actors: string[]) {
  const state: Record<string, unknown> = {
    list: await ok(admin("GET", "/experiments")),
    snapshot: await env.CONFIG.get("config-snapshot:v1"),
  };
  for (const name of experiments) {
    state[`history:${name}`] = await ok(admin("GET", `/experiments/${name}/history?limit=0`));
    state[`overrides:${name}`] = await ok(admin("GET", `/experiments/${name}/overrides`));
    for (const actor of actors) {
      const r = await admin("GET", `/experiments/${name}/assignments/${encodeURIComponent(actor)}`);
      state[`assignment:${name}:${actor}`] = [r.status, await r.text()];
    }
  }
  return state;
}
