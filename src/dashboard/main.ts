/**
 * The operators' dashboard at `/dashboard/`: a static page the Worker serves as an
 * asset, which does everything through the admin API (`src/client`) with the token the
 * operator types. Routes live in the fragment, so the Worker serves one file:
 *
 *   #/                        every experiment (`#/?state=running`: filtered)
 *   #/experiments/<name>      one experiment (`?method=fixed`: its metrics by the fixed method)
 */
import { h } from "./dom";
import { describeError, forgetToken, isUnauthorized, type Session, savedToken, signIn } from "./session";
import type { ViewContext } from "./view";
import { detailView } from "./views/detail";
import { listView } from "./views/list";
import { signInView } from "./views/sign-in";

const APP = "edge-experiments";

interface Route {
  view: "list" | "detail" | "missing";
  name?: string;
  query: URLSearchParams;
}

/** `#/experiments/checkout_v2` → the detail of `checkout_v2`; anything unknown is "missing". */
export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?", 2);
  const query = new URLSearchParams(search);
  if (path === "" || path === "/") return { view: "list", query };
  const detail = /^\/experiments\/([^/]+)$/.exec(path);
  if (detail?.[1] !== undefined) {
    try {
      return { view: "detail", name: decodeURIComponent(detail[1]), query };
    } catch {
      return { view: "missing", query };
    }
  }
  return { view: "missing", query };
}

class Dashboard {
  #session: Session | null = null;
  /** Each render's number: a slower, older render never replaces a newer one. */
  #generation = 0;
  #firstRender = true;

  constructor(
    private readonly main: HTMLElement,
    private readonly account: HTMLElement,
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
    this.#loading();
    let view: HTMLElement;
    if (route.view === "list") {
      document.title = `Experiments · ${APP}`;
      view = await listView(ctx, route.query);
    } else if (route.view === "detail" && route.name !== undefined) {
      document.title = `${route.name} · ${APP}`;
      view = await detailView(ctx, route.name, route.query);
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

  #renderAccount(): void {
    const session = this.#session;
    if (session === null) {
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
if (main !== null && account !== null) {
  // The skip link moves focus itself: following its `#main` would change the route.
  document.querySelector(".skip-link")?.addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  void new Dashboard(main, account).start();
}
