import type * as v from "valibot";
import type { ROUTES, RouteId, RouteSpec } from "../../api/routes";
import type { Call } from "./call";
import type { Problem } from "./problem";
import type { Reply } from "./reply";

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
