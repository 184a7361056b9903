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
