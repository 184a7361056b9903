import { adminActor } from "../auth";
import type { EdgeRequest } from "../context";
import type { Env } from "../env";
import { HttpError, invalid } from "../problems";
import {
  actorId,
  experimentName,
  nullableString,
  onlyFields,
  pathParam,
  readJsonObject,
  stringField,
  variantsField,
} from "../request";
import { callActor, callRegistry } from "../stores";

/**
 * The admin routes: every read and write goes to the registry (read-your-writes),
 * except the assignment lookup, which asks the actor's own object. Authentication has
 * already happened in the router's `before` stage.
 */
const DEFAULT_HISTORY_LIMIT = 100;

const nameOf = (request: EdgeRequest) => experimentName(request.params.name);
const actorOf = (request: EdgeRequest) =>
  actorId(pathParam(request.params.actor, "the actor"), "the actor in the path");

export const adminRoutes = {
  list: async (request: EdgeRequest, env: Env) => ({
    experiments: await callRegistry(env, request.context.calls, (r) => r.list()),
  }),

  get: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    return callRegistry(env, request.context.calls, (r) => r.status(name));
  },

  put: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const by = adminActor(request);
    const body = await readJsonObject(request);
    onlyFields(body, ["variants", "description", "exclusion_group"]);
    const definition = {
      variants: variantsField(body),
      description: nullableString(body, "description"),
      exclusion_group: nullableString(body, "exclusion_group"),
    };
    const { config, created } = await callRegistry(env, request.context.calls, (r) => r.define(name, definition, by));
    return json(config, created ? 201 : 200);
  },

  start: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const by = adminActor(request);
    return callRegistry(env, request.context.calls, (r) => r.start(name, by));
  },

  conclude: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const by = adminActor(request);
    const body = await readJsonObject(request);
    onlyFields(body, ["winner"]);
    const winner = stringField(body, "winner");
    return callRegistry(env, request.context.calls, (r) => r.conclude(name, winner, by));
  },

  archive: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const by = adminActor(request);
    return callRegistry(env, request.context.calls, (r) => r.archive(name, by));
  },

  weights: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const by = adminActor(request);
    const body = await readJsonObject(request);
    onlyFields(body, ["variants"]);
    const variants = variantsField(body);
    return callRegistry(env, request.context.calls, (r) => r.setWeights(name, variants, by));
  },

  history: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const limit = historyLimit(request.context.url.searchParams.get("limit"));
    return { history: await callRegistry(env, request.context.calls, (r) => r.history(name, limit)) };
  },

  overrides: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    return { overrides: await callRegistry(env, request.context.calls, (r) => r.overrides(name)) };
  },

  setOverride: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const actor = actorOf(request);
    const by = adminActor(request);
    const body = await readJsonObject(request);
    onlyFields(body, ["variant"]);
    const variant = stringField(body, "variant");
    await callRegistry(env, request.context.calls, (r) => r.setOverride(name, actor, variant, by));
    return { experiment: name, actor, variant };
  },

  removeOverride: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const actor = actorOf(request);
    const by = adminActor(request);
    await callRegistry(env, request.context.calls, (r) => r.removeOverride(name, actor, by));
    return new Response(null, { status: 204 });
  },

  assignment: async (request: EdgeRequest, env: Env) => {
    const name = nameOf(request);
    const actor = actorOf(request);
    const assignment = await callActor(env, request.context.calls, actor, (stub) => stub.getAssignment(actor, name));
    if (assignment === null) {
      throw new HttpError("not_found", `no assignment for actor '${actor}' in experiment '${name}'`);
    }
    return assignment;
  },
};

function historyLimit(raw: string | null): number {
  if (raw === null) return DEFAULT_HISTORY_LIMIT;
  if (!/^\d{1,9}$/.test(raw)) throw invalid("'limit' must be a whole number (0 means all)");
  return Number(raw);
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}
