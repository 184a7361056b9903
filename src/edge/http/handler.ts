import type * as v from "valibot";
import type { ROUTES, RouteId, RouteSpec } from "../../api/routes";
import type { Call } from "./call";
import type { Problem } from "./problem";

type Parsed<S> = S extends v.GenericSchema ? v.InferOutput<S> : undefined;

/** A route's validated input: path parameters, query and body, each parsed by the route's schema. */
export interface Input<R extends RouteSpec> {
  params: Parsed<R["params"]>;
  query: Parsed<R["query"]>;
  body: Parsed<R["body"]>;
}

/** The body of any of a route's success responses. */
type Success<R extends RouteSpec> = {
  // A response without a schema has no body: `null`.
  [K in keyof R["responses"]]: R["responses"][K] extends { schema: infer S }
    ? S extends null
      ? null
      : Parsed<S>
    : never;
}[keyof R["responses"]];

/** A cookie a response sets; its attributes are the app's (`actor-id.ts`), decided per request. */
export interface Cookie {
  name: "exp_actor" | "exp_sticky";
  value: string;
}

/**
 * Everything a response needs, as data: the app turns it into the `Response` in one
 * place (`app.ts`), adding the common, CORS and debug headers there. A handler returns
 * one where plain data (a `200` JSON body) is not enough.
 */
export class Reply<T = unknown> {
  constructor(
    /** The JSON body; `null` for none. */
    readonly body: T,
    readonly status = 200,
    readonly parts: ReplyParts = {},
  ) {}
}

/** What a reply carries besides its body and status. */
export interface ReplyParts {
  headers?: Readonly<Record<string, string>>;
  cookies?: readonly Cookie[];
  /** Headers only a Worker with `DEBUG_HEADERS=1` sends (they reveal internal topology). */
  debugHeaders?: Readonly<Record<string, string>>;
  /** Default `application/json; charset=utf-8`. */
  contentType?: string;
}

/**
 * A route's handler: validated input in, data out (a `200` JSON body), or a `Reply`
 * where the status, headers or cookies say more (a problem's too, when it must carry
 * them: `problemReply`); or it throws.
 */
export type Handler<R extends RouteSpec> = (
  input: Input<R>,
  call: Call,
) => Promise<Success<R> | Reply<Success<R>> | Reply<Problem>>;

export type Handlers<K extends RouteId> = { [Id in K]: Handler<(typeof ROUTES)[Id]> };
