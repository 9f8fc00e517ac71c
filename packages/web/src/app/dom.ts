/** A tiny element builder: the app has no framework, pages build their DOM with this. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/**
 * Creates an element: `on*` attributes become listeners, `false`/`undefined` are skipped.
 *
 * @example h('a', { href: '/alerts', class: 'nav' }, 'Alerts')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

/**
 * Appends children, skipping empty ones.
 *
 * @example append(list, h('li', {}, 'one'), null, 'two')
 */
export function append(el: Element, ...children: Child[]): void {
  for (const c of children)
    if (c !== null && c !== undefined && c !== false)
      el.append(typeof c === 'number' ? String(c) : c);
}

/**
 * Replaces an element's children.
 *
 * @example replace(status, 'No data in this range')
 */
export function replace(el: Element, ...children: Child[]): void {
  el.textContent = '';
  append(el, ...children);
}
