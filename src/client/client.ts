import { ApiError, InputError, NetworkError } from "./errors";
import { type BodyOf, CLIENT_ROUTES, type ParamsOf, type ResponseOf, type RouteId } from "./routes";
import type {
  AssignResponse,
  Attributes,
  BatchAssignBody,
  BatchAssignResponse,
  Definition,
  ExperimentConfig,
  ExperimentList,
  ExperimentResults,
  HistoryResponse,
  Holdout,
  HoldoutDefinition,
  HoldoutHistory,
  HoldoutList,
  HoldoutResults,
  LayerList,
  OverrideList,
  OverrideSet,
  Problem,
  Assignment as StoredAssignment,
  TokenIdentity,
  TrackBody,
  TrackResponse,
  Variant,
  Webhook,
  WebhookDefinition,
  WebhookList,
  WebhookWithSecret,
} from "./types";

/** How `results` and `holdoutResults` make their intervals. */
export type ResultsOptions = { method?: "sequential" | "fixed"; alpha?: number };

/**
 * The subset of `fetch` the client calls: the global one by default, or a Worker's
 * service binding (`(url, init) => env.EXPERIMENTS.fetch(url, init)`), or a fake in tests.
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<Response>;

export interface ClientOptions {
  /** Where the Worker answers, e.g. `http://localhost:8787`; a path prefix is kept. */
  baseUrl: string;
  /** The admin bearer token (admin routes only; never sent to the public ones). */
  token?: string;
  /** Sent as `X-Admin-Actor` with admin writes: who the history records (any text, sent as UTF-8). */
  adminActor?: string;
  /**
   * Milliseconds each attempt may take before it fails as a `NetworkError`: a whole
   * number from 1 to {@link MAX_TIMEOUT_MS}. Default 10 000.
   */
  timeout?: number;
  fetch?: FetchLike;
  /** Whether to send a request once more after a `503` with `Retry-After` (default `true`). */
  retry?: boolean;
  /** Extra headers for every request (say `X-Request-Id`); like every header value, sent as UTF-8. */
  headers?: Record<string, string>;
}

/** Query parameters, sent as `?name=value`; `undefined` values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** What `request` sends: the route's path parameters (required when its path has some), query and body. */
export type RequestInput<K extends RouteId> = {
  query?: Query;
  body?: BodyOf<K>;
  headers?: Record<string, string>;
} & ([keyof ParamsOf<K>] extends [never] ? { params?: undefined } : { params: ParamsOf<K> });

/** A whole answer: `ok` with the route's success body, or a refusal with its problem document. */
export type ApiResponse<K extends RouteId> =
  | { ok: true; status: number; headers: Headers; body: ResponseOf<K> }
  | { ok: false; status: number; headers: Headers; body: Problem | null; error: ApiError };

/** The longest `Retry-After` the client waits for before its one retry. */
export const MAX_RETRY_DELAY_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * The longest `timeout`: timers hold a signed 32-bit count of milliseconds, and Node's
 * `AbortSignal.timeout` fires after 1 ms for anything longer (about 24.8 days).
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * A typed client for the Worker's HTTP API, public and admin routes alike. It needs only
 * `fetch`, `Headers`, `URL`, `TextEncoder` and `AbortSignal.timeout`, so it runs in Node,
 * browsers and Workers, and its types come from the schemas the Worker validates with.
 *
 * Every method resolves with the API's JSON and throws `ApiError` (the problem
 * document's `status`, `code`, `detail`, `errors`) when the Worker refuses,
 * `NetworkError` when it cannot be reached in time, or `InputError`, having sent
 * nothing, when an argument cannot travel as it is (an actor id `..` in a path). `request`
 * is the lower level: the whole answer, headers included, whatever its status.
 *
 * @example
 * const client = new ExperimentsClient({ baseUrl: "http://localhost:8787", token: "dev-admin-token" });
 * await client.define("checkout_v2", { variants: [{ name: "control", weight: 50 }, { name: "treatment", weight: 50 }] });
 * await client.start("checkout_v2");
 * const { variant } = await client.assign("checkout_v2", { actor: "user:1" });
 */
export class ExperimentsClient {
  readonly #base: string;
  readonly #options: ClientOptions;
  readonly #fetch: FetchLike;
  readonly #timeout: number;
  readonly #utf8Headers = fetchWritesUtf8Headers();

  constructor(options: ClientOptions) {
    const base = new URL(options.baseUrl); // a TypeError for a base that is not a URL, before any request
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new TypeError(`baseUrl must be an http: or https: URL, not '${options.baseUrl}'`);
    }
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MS) {
      throw new RangeError(
        `timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, not ${timeout}`,
      );
    }
    this.#base = base.href.replace(/\/+$/, "");
    this.#timeout = timeout;
    this.#options = options;
    // Called unbound, the global fetch throws "Illegal invocation" in browsers and Workers.
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  // ── Assignment (public) ──────────────────────────────────────────────────────

  /** The variant `actor` sees; `attributes` go as `attr.<name>=<value>` for targeting. */
  assign(experiment: string, options: { actor?: string; attributes?: Attributes } = {}): Promise<AssignResponse> {
    const query: Record<string, string | number | boolean | undefined> = { actor: options.actor };
    for (const [name, value] of Object.entries(options.attributes ?? {})) query[`attr.${name}`] = value;
    return this.#call("assign", { params: { experiment }, query });
  }

  /** One actor in several experiments (all running and concluded ones without `experiments`). */
  assignBatch(body: BatchAssignBody = {}): Promise<BatchAssignResponse> {
    return this.#call("assignBatch", { body });
  }

  /**
   * An actor's events (1 to 100), for the metrics of the experiments it is enrolled in;
   * resolves once they are queued (`{accepted}`), before they are counted.
   *
   * @example
   * await client.track({ actor: "user:1", events: [{ event: "purchase", value: 42.5, id: "order-991" }] });
   */
  track(body: TrackBody): Promise<TrackResponse> {
    return this.#call("track", { body });
  }

  // ── Experiments (admin) ──────────────────────────────────────────────────────

  list(): Promise<ExperimentList> {
    return this.#call("listExperiments", {});
  }

  get(name: string): Promise<ExperimentConfig> {
    return this.#call("getExperiment", { params: { name } });
  }

  /** Declares a draft (`created: true`) or replaces the definition, keeping state and winner. */
  async define(name: string, definition: Definition): Promise<{ config: ExperimentConfig; created: boolean }> {
    const response = await this.#send("defineExperiment", { params: { name }, body: definition });
    return { config: response.body, created: response.status === 201 };
  }

  start(name: string): Promise<ExperimentConfig> {
    return this.#call("startExperiment", { params: { name } });
  }

  conclude(name: string, winner: string): Promise<ExperimentConfig> {
    return this.#call("concludeExperiment", { params: { name }, body: { winner } });
  }

  archive(name: string): Promise<ExperimentConfig> {
    return this.#call("archiveExperiment", { params: { name } });
  }

  setWeights(name: string, variants: Variant[]): Promise<ExperimentConfig> {
    return this.#call("setWeights", { params: { name }, body: { variants } });
  }

  /** Basis points of the eligible new actors that may enter (10 000: all). */
  setCoverage(name: string, coverage: number): Promise<ExperimentConfig> {
    return this.#call("setCoverage", { params: { name }, body: { coverage } });
  }

  /** Newest first; `limit` defaults to 100 on the Worker, 0 means all. */
  history(name: string, options: { limit?: number } = {}): Promise<HistoryResponse> {
    return this.#call("history", { params: { name }, query: { limit: options.limit } });
  }

  /**
   * Counts, the SRM check and each metric's lift; `method` (`sequential`, the default, or
   * `fixed`) and `alpha` (0 < α < 0.5, default 0.05) choose how the intervals are made.
   */
  results(name: string, options: ResultsOptions = {}): Promise<ExperimentResults> {
    return this.#call("results", { params: { name }, query: resultsQuery(options) });
  }

  /** Every layer an experiment names, with its experiments (by range) and the ranges free of running ones. */
  layers(): Promise<LayerList> {
    return this.#call("listLayers", {});
  }

  // ── Holdouts (admin) ─────────────────────────────────────────────────────────

  holdouts(): Promise<HoldoutList> {
    return this.#call("listHoldouts", {});
  }

  holdout(name: string): Promise<Holdout> {
    return this.#call("getHoldout", { params: { name } });
  }

  /**
   * Creates a holdout (`created: true`) or replaces its definition; its coverage is fixed
   * once any experiment naming it has run (`holdout_locked`).
   *
   * @example
   * await client.defineHoldout("h2026", { coverage: 500, metrics: [{ name: "purchase", kind: "conversion" }] });
   * await client.define("checkout_v2", { variants, holdout: "h2026" });
   */
  async defineHoldout(name: string, definition: HoldoutDefinition): Promise<{ holdout: Holdout; created: boolean }> {
    const response = await this.#send("defineHoldout", { params: { name }, body: definition });
    return { holdout: response.body, created: response.status === 201 };
  }

  /** `ApiError` `holdout_in_use` while an experiment that is not archived names it. */
  async deleteHoldout(name: string): Promise<void> {
    await this.#call("deleteHoldout", { params: { name } });
  }

  /** Newest first; `limit` defaults to 100 on the Worker, 0 means all. */
  holdoutHistory(name: string, options: { limit?: number } = {}): Promise<HoldoutHistory> {
    return this.#call("holdoutHistory", { params: { name }, query: { limit: options.limit } });
  }

  /** The arms' counts, the SRM check and each metric's lift of `exposed` over `held_out`; options as for `results`. */
  holdoutResults(name: string, options: ResultsOptions = {}): Promise<HoldoutResults> {
    return this.#call("holdoutResults", { params: { name }, query: resultsQuery(options) });
  }

  // ── Webhooks (admin) ─────────────────────────────────────────────────────────

  /** Every subscription, by name, without its secret. */
  webhooks(): Promise<WebhookList> {
    return this.#call("listWebhooks", {});
  }

  /**
   * Subscribes a URL (`created: true`, with the signing `secret`, which no later answer
   * shows) or replaces a subscription (`secret: null`: the one it has is kept).
   *
   * @example
   * const { secret, created } = await client.defineWebhook("ops", { url: "https://hooks.example.com/exp", events: ["experiment.concluded"] });
   * if (created) store(secret);
   */
  async defineWebhook(
    name: string,
    definition: WebhookDefinition,
  ): Promise<{ webhook: Webhook; secret: string | null; created: boolean }> {
    const response = await this.#send("defineWebhook", { params: { name }, body: definition });
    const { secret, ...webhook }: Webhook & { secret?: string } = response.body;
    return { webhook, secret: secret ?? null, created: response.status === 201 };
  }

  /** Unsubscribes (its waiting deliveries are dropped); `ApiError` 404 when there is none. */
  async deleteWebhook(name: string): Promise<void> {
    await this.#call("deleteWebhook", { params: { name } });
  }

  /** A new signing secret, in this answer only; the old one signs nothing from now on. */
  rotateWebhook(name: string): Promise<WebhookWithSecret> {
    return this.#call("rotateWebhook", { params: { name } });
  }

  // ── Overrides and assignments (admin) ────────────────────────────────────────

  overrides(name: string): Promise<OverrideList> {
    return this.#call("listOverrides", { params: { name } });
  }

  setOverride(name: string, actor: string, variant: string): Promise<OverrideSet> {
    return this.#call("setOverride", { params: { name, actor }, body: { variant } });
  }

  async removeOverride(name: string, actor: string): Promise<void> {
    await this.#call("removeOverride", { params: { name, actor } });
  }

  /**
   * Erases an actor everywhere (assignments, overrides, holdout arms, metric totals, event
   * ids); the same answer however often it is asked. Aggregated counts stay.
   */
  async eraseActor(actor: string): Promise<void> {
    await this.#call("eraseActor", { params: { actor } });
  }

  /** The override while one exists, else the sticky assignment; `ApiError` 404 when neither. */
  assignment(name: string, actor: string): Promise<StoredAssignment> {
    return this.#call("getAssignment", { params: { name, actor } });
  }

  /** Whose token the client presents: its name (the history's actor) and scope. */
  whoami(): Promise<TokenIdentity> {
    return this.#call("whoami", {});
  }

  /** The OpenAPI 3.1 document the Worker serves. */
  openapi(): Promise<unknown> {
    return this.#call("openapi", {});
  }

  // ── The lower level ──────────────────────────────────────────────────────────

  /**
   * Sends one request to a route and resolves with the whole answer, whatever its
   * status; it rejects only with a `NetworkError`, or with an `InputError` before
   * sending anything (a path parameter that is empty, `.` or `..`; a header that is not
   * well-formed text). After a `503` with `Retry-After` it waits (at most
   * {@link MAX_RETRY_DELAY_MS}) and sends the request once more.
   *
   * @example
   * const r = await client.request("assign", { params: { experiment: "checkout_v2" }, query: { actor: "user:1" } });
   * if (r.ok) console.log(r.body.variant, r.headers.get("x-exposures"));
   */
  async request<K extends RouteId>(route: K, input: RequestInput<K>): Promise<ApiResponse<K>> {
    const { method, path, access } = CLIENT_ROUTES[route];
    // The conditional `params` type does not narrow inside the generic body; this is its plain shape.
    const { params = {}, query = {} } = input as { params?: Record<string, string>; query?: Query };
    let url = this.#base + path.replace(/:(\w+)/g, (_, name: string) => pathSegment(name, params[name] ?? ""));
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) search.append(name, String(value));
    }
    if (search.toString() !== "") url += `?${search}`;

    const headers: Record<string, string> = { accept: "application/json", ...this.#options.headers };
    if (access !== "public") {
      if (this.#options.token !== undefined) headers.authorization = `Bearer ${this.#options.token}`;
      if (this.#options.adminActor !== undefined) headers["x-admin-actor"] = this.#options.adminActor;
    }
    let body: string | undefined;
    if (input.body !== undefined) {
      body = JSON.stringify(input.body);
      headers["content-type"] = "application/json";
    }
    Object.assign(headers, input.headers);
    for (const [name, value] of Object.entries(headers)) headers[name] = headerValue(name, value, this.#utf8Headers);

    let response = await this.#attempt(url, method, headers, body);
    const delay = retryDelay(response);
    if (delay !== null && this.#options.retry !== false) {
      // The answer is dropped unread; release its body so the connection can be reused.
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, delay));
      response = await this.#attempt(url, method, headers, body);
    }
    return this.#read<K>(response);
  }

  async #attempt(url: string, method: string, headers: Record<string, string>, body: string | undefined) {
    const timeout = this.#timeout;
    // Outside the `try`: only what fetch itself fails with is a network failure.
    const signal = AbortSignal.timeout(timeout);
    try {
      return await this.#fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      const why = timedOut ? `no answer within ${timeout} ms` : describeFailure(error);
      throw new NetworkError(`${method} ${url}: ${why}`, timedOut, { cause: error });
    }
  }

  async #read<K extends RouteId>(response: Response): Promise<ApiResponse<K>> {
    const { status, headers } = response;
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      throw new NetworkError(`reading the answer failed: ${describeFailure(error)}`, timedOut, { cause: error });
    }
    const json = parseJson(text);
    if (response.ok) {
      if (status === 204) return { ok: true, status, headers, body: undefined as ResponseOf<K> };
      if (json === NOT_JSON) {
        const error = new ApiError(status, null, `expected JSON, got: ${text.slice(0, 200)}`);
        return { ok: false, status, headers, body: null, error };
      }
      // Trusted as the route's success body: it comes from the Worker whose schemas typed it.
      return { ok: true, status, headers, body: json as ResponseOf<K> };
    }
    const problem = isProblem(json) ? json : null;
    const error = new ApiError(status, problem, `HTTP ${status}${text === "" ? "" : `: ${text.slice(0, 200)}`}`);
    return { ok: false, status, headers, body: problem, error };
  }

  /** `request`, and the answer's success, or its `ApiError` thrown. */
  async #send<K extends RouteId>(route: K, input: RequestInput<K>) {
    const response = await this.request(route, input);
    if (!response.ok) throw response.error;
    return response;
  }

  async #call<K extends RouteId>(route: K, input: RequestInput<K>): Promise<ResponseOf<K>> {
    return (await this.#send(route, input)).body;
  }
}

/** The results query; `alpha` written out without an exponent (`String(1e-7)` is "1e-7"): the query takes a plain decimal. */
function resultsQuery({ method, alpha }: ResultsOptions): Query {
  return { method, alpha: alpha === undefined ? undefined : alpha.toFixed(15).replace(/0+$/, "") };
}

/** Whether `value` can be a path parameter: not empty, `.` or `..` (see `pathSegment`). */
export function canTravelInPath(value: string): boolean {
  return value !== "" && value !== "." && value !== "..";
}

/**
 * A path parameter, percent-encoded. WHATWG URL parsing (the runtime's, before any
 * router) resolves a `.` or `..` segment even when it is percent-encoded (`%2E%2E`),
 * and an empty one names no resource, so such a value would reach another route:
 * `PUT …/overrides/..` is the experiment's own definition `PUT`. Refused instead.
 *
 * @throws {InputError} for `""`, `.` and `..`
 */
function pathSegment(name: string, value: string): string {
  if (canTravelInPath(value)) return encodeURIComponent(value);
  const what = value === "" ? `an empty ${name}` : `${name} '${value}'`;
  const why =
    value === "" ? "an empty segment names nothing" : "URL parsing resolves it as a dot segment, even percent-encoded";
  // `.` and `..` are valid actor ids (assignment takes them in the query or a header); only the path cannot carry them.
  const actor =
    name === "actor" && value !== ""
      ? ` It is a valid actor id for assignment (the actor parameter, X-Actor-Id), but no admin route can address it.`
      : "";
  throw new InputError(
    `${what} cannot be named in a URL path: ${why}, so the request would reach another route.${actor} Nothing was sent.`,
    name,
  );
}

/**
 * Whether this runtime's `fetch` writes a header value as the UTF-8 of its string. The
 * Fetch standard makes header values byte strings: Node (undici) and browsers write
 * each character as one byte and refuse one above U+00FF ("Cannot convert argument to
 * a ByteString"). workerd (Workers, and so a service binding's fetch) writes the
 * string's UTF-8 instead: measured, it sends "José" as `4a 6f 73 c3 a9`. Told by the
 * runtime's name rather than by probing `Headers`, which a polyfill may relax without
 * its `fetch` writing anything differently.
 */
function fetchWritesUtf8Headers(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === "Cloudflare-Workers";
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A header value as `fetch` must be given it for the Worker to read the text: the Worker
 * decodes a header's bytes as UTF-8 (as curl sends "José"), so where `fetch` writes one
 * byte per character, the value goes as its UTF-8 bytes, each one character of a
 * byte string. Given the text itself, Node would send "é" as the single byte E9, which
 * the Worker reads as U+FFFD ("Jos�"), and would refuse "😀" outright.
 *
 * @throws {InputError} for a header name that is not a token, or a value that is not
 *   well-formed text or holds NUL, CR or LF (which `fetch` would refuse locally)
 */
function headerValue(name: string, value: string, utf8: boolean): string {
  if (!HEADER_NAME.test(name)) throw new InputError(`'${name}' is not a valid header name; nothing was sent`, name);
  // The value is not quoted in the message: it may be a credential.
  if (!value.isWellFormed() || /[\0\r\n]/.test(value)) {
    throw new InputError(`header ${name} must be well-formed text without NUL, CR or LF; nothing was sent`, name);
  }
  // ASCII is written alike everywhere.
  if (utf8 || /^\p{ASCII}*$/u.test(value)) return value;
  let bytes = "";
  for (const byte of new TextEncoder().encode(value)) bytes += String.fromCharCode(byte);
  return bytes;
}

/** How long to wait before the one retry: only after a 503 that says when (seconds or an HTTP date). */
function retryDelay(response: Response): number | null {
  const header = response.headers.get("retry-after");
  if (response.status !== 503 || header === null) return null;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  if (Number.isNaN(seconds)) return null;
  return Math.min(Math.max(seconds, 0), MAX_RETRY_DELAY_MS);
}

const NOT_JSON = Symbol("not JSON");

function parseJson(text: string): unknown {
  if (text === "") return NOT_JSON;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) return false;
  const { code, detail } = value as Record<string, unknown>;
  return typeof code === "string" && typeof detail === "string";
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND) is its cause. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return `${error.message} (${typeof code === "string" ? code : cause.message})`;
  }
  return error.message;
}
