/**
 * The operators' dashboard at `/dashboard/`: a static page the Worker serves as an
 * asset, which does everything through the admin API (`src/client`) with the token the
 * operator types. Routes live in the fragment, so the Worker serves one file:
 *
 *   #/                        every experiment (`#/?state=running`: filtered), and the layers
 *   #/experiments/<name>      one experiment (`?method=fixed`: its metrics by the fixed method)
 *   #/holdouts                every holdout
 *   #/holdouts/<name>         one holdout, with its results (`?method=fixed` as for an experiment)
 *   #/webhooks                every webhook subscription
 */
import { h } from "./dom";
import { HOLDOUTS_HASH, listHash, WEBHOOKS_HASH } from "./links";
import { describeError, forgetToken, isUnauthorized, type Session, savedToken, signIn } from "./session";
import type { ViewContext } from "./view";
import { detailView } from "./views/detail";
import { holdoutView } from "./views/holdout";
import { holdoutsView } from "./views/holdouts";
import { listView } from "./views/list";
import { signInView } from "./views/sign-in";
import { webhooksView } from "./views/webhooks";

const APP = "edge-experiments";

interface Route {
  view: "list" | "detail" | "holdouts" | "holdout" | "webhooks" | "missing";
  name?: string;
  query: URLSearchParams;
}

/** `#/experiments/checkout_v2` → the detail of `checkout_v2`; anything unknown is "missing". */
export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?", 2);
  const query = new URLSearchParams(search);
  if (path === "" || path === "/") return { view: "list", query };
  if (path === "/holdouts") return { view: "holdouts", query };
  if (path === "/webhooks") return { view: "webhooks", query };
  const named = /^\/(experiments|holdouts)\/([^/]+)$/.exec(path);
  if (named?.[2] !== undefined) {
    try {
      return { view: named[1] === "holdouts" ? "holdout" : "detail", name: decodeURIComponent(named[2]), query };
    } catch {
      return { view: "missing", query };
    }
  }
  return { view: "missing", query };
}

/** The sections the top bar links to, and the views each one holds. */
const SECTIONS: ReadonlyArray<{ label: string; href: string; views: readonly Route["view"][] }> = [
  { label: "Experiments", href: listHash(null), views: ["list", "detail"] },
  { label: "Holdouts", href: HOLDOUTS_HASH, views: ["holdouts", "holdout"] },
  { label: "Webhooks", href: WEBHOOKS_HASH, views: ["webhooks"] },
];

class Dashboard {
  #session: Session | null = null;
  /** Each render's number: a slower, older render never replaces a newer one. */
  #generation = 0;
  #firstRender = true;

  constructor(
    private readonly main: HTMLElement,
    private readonly account: HTMLElement,
    private readonly nav: HTMLElement,
  ) {}

  async start(): Promise<void> {
    window.addEventListener("hashchange", () => void this.show());
    const token = savedToken();
    if (token !== null) {
      this.#loading();
      try {
        this.#session = await signIn(token);
      } catch (error) {
        if (isUnauthorized(error)) forgetToken();
        await this.show(describeError(error));
        return;
      }
    }
    await this.show();
  }

  /** Renders the view the address names (the sign-in form without a session). */
  async show(message: string | null = null): Promise<void> {
    const generation = ++this.#generation;
    this.#renderAccount();
    const session = this.#session;
    if (session === null) {
      document.title = `Sign in · ${APP}`;
      this.#mount(
        signInView({
          message,
          onSignedIn: (signedIn) => {
            this.#session = signedIn;
            void this.show();
          },
        }),
      );
      return;
    }
    const ctx: ViewContext = {
      session,
      signedOut: (detail) => this.#signOut(detail),
      reload: () => void this.show(),
    };
    const route = parseRoute(window.location.hash);
    this.#renderNav(route);
    this.#loading();
    let view: HTMLElement;
    if (route.view === "list") {
      document.title = `Experiments · ${APP}`;
      view = await listView(ctx, route.query);
    } else if (route.view === "detail" && route.name !== undefined) {
      document.title = `${route.name} · ${APP}`;
      view = await detailView(ctx, route.name, route.query);
    } else if (route.view === "holdouts") {
      document.title = `Holdouts · ${APP}`;
      view = await holdoutsView(ctx);
    } else if (route.view === "holdout" && route.name !== undefined) {
      document.title = `${route.name} · Holdouts · ${APP}`;
      view = await holdoutView(ctx, route.name, route.query);
    } else if (route.view === "webhooks") {
      document.title = `Webhooks · ${APP}`;
      view = await webhooksView(ctx);
    } else {
      document.title = `Not found · ${APP}`;
      view = h(
        "section",
        { class: "view" },
        h("h1", { id: "view-title", tabindex: "-1" }, "Page not found"),
        h("p", null, h("a", { href: "#/" }, "All experiments")),
      );
    }
    // Signed out meanwhile (a 401), or a newer render started: this one is stale.
    if (generation !== this.#generation || this.#session !== session) return;
    this.#mount(view);
  }

  #signOut(message: string | null): void {
    forgetToken();
    this.#session = null;
    void this.show(message);
  }

  #loading(): void {
    this.main.setAttribute("aria-busy", "true");
  }

  /** Puts a view in place; after the first page load, focus goes to its heading, as a page load would. */
  #mount(view: HTMLElement): void {
    this.main.replaceChildren(view);
    this.main.removeAttribute("aria-busy");
    if (!this.#firstRender) document.getElementById("view-title")?.focus();
    this.#firstRender = false;
  }

  /** The sections, the current one marked (`aria-current`); none without a session. */
  #renderNav(route: Route | null): void {
    this.nav.hidden = route === null;
    this.nav.replaceChildren(
      ...(route === null
        ? []
        : SECTIONS.map(({ label, href, views }) =>
            h("a", { href, class: "nav-link", "aria-current": views.includes(route.view) ? "page" : null }, label),
          )),
    );
  }

  #renderAccount(): void {
    const session = this.#session;
    if (session === null) {
      this.#renderNav(null);
      this.account.replaceChildren();
      return;
    }
    const { name, scope } = session.identity;
    this.account.replaceChildren(
      h(
        "span",
        { class: "identity" },
        h("span", { class: "identity-prefix" }, "Signed in as "),
        h("strong", null, name),
        " ",
        h("span", { class: `badge badge-scope-${scope}` }, scope === "write" ? "read & write" : "read only"),
      ),
      h(
        "button",
        { type: "button", class: "button button-quiet", on: { click: () => this.#signOut(null) } },
        "Sign out",
      ),
    );
  }
}

const main = document.getElementById("main");
const account = document.getElementById("account");
const nav = document.getElementById("nav");
if (main !== null && account !== null && nav !== null) {
  // The skip link moves focus itself: following its `#main` would change the route.
  document.querySelector(".skip-link")?.addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  void new Dashboard(main, account, nav).start();
}
