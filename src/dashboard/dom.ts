/**
 * Element builders. Every text the API returns (names, descriptions, actors, details)
 * goes in as a text node, never as markup, so nothing an admin typed can run in the
 * page; the Content-Security-Policy (scripts and styles from this origin only) is the
 * second line of defence.
 */

type Listeners = { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

/** Attributes (`false`, `null` and `undefined` leave one out; `true` sets it empty), and `on` for listeners. */
export interface Props {
  [attribute: string]: string | number | boolean | null | undefined | Listeners;
  on?: Listeners;
}

export type Child = Node | string | number | null | undefined | false | readonly Child[];

/**
 * An HTML element with attributes, listeners and children.
 * @example
 * h("button", { type: "button", on: { click: () => start() } }, "Start")
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  apply(element, props);
  element.append(...nodes(children));
  return element;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element, for the inline charts. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  apply(element, props);
  element.append(...nodes(children));
  return element;
}

function apply(element: Element, props: Props | null): void {
  if (props === null) return;
  for (const [name, value] of Object.entries(props)) {
    if (name === "on") {
      for (const [type, listener] of Object.entries(value as Listeners)) {
        element.addEventListener(type, listener as EventListener);
      }
    } else if (value === true) {
      element.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
}

function nodes(children: readonly Child[]): Node[] {
  return children.flatMap((child): Node[] => {
    if (child === null || child === undefined || child === false) return [];
    if (Array.isArray(child)) return nodes(child);
    if (child instanceof Node) return [child];
    return [document.createTextNode(String(child))];
  });
}

let ids = 0;
/** A fresh element id, for `aria-labelledby`, `aria-describedby` and `for`. */
export function uid(prefix: string): string {
  ids += 1;
  return `${prefix}-${ids}`;
}
