/** The header: navigation generated from the page set, the time range picker and auto-refresh. */
import { h } from './dom.js';
import { RANGES, REFRESHES, rangeOf, parseTimeParam, DEFAULT_REFRESH } from './state.js';
import type { AppContext } from './context.js';

/** Fixed pages after the generated dashboards. */
const PAGES: readonly (readonly [string, string])[] = [
  ['/alerts', 'Alerts'],
  ['/traces', 'Traces'],
  ['/logs', 'Logs'],
  ['/targets', 'Targets'],
  ['/budget', 'Budget & privacy'],
  ['/explore', 'Explore'],
];

const pad = (n: number) => String(n).padStart(2, '0');
/** A Unix time (ms) as a `datetime-local` input value. */
function localInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The header element, re-rendered on every navigation.
 *
 * @example slot.append(renderHeader(ctx, '/alerts'))
 */
export function renderHeader(ctx: AppContext, path: string): HTMLElement {
  const links: (readonly [string, string])[] = [['/', 'Overview']];
  for (const d of ctx.model.dashboards) links.push([`/d/${d.id}`, d.title]);
  links.push(...PAGES);
  const nav = h('nav', { class: 'nav', 'aria-label': 'pages' });
  for (const [p, label] of links)
    nav.append(
      h(
        'a',
        {
          href: ctx.href(p),
          // A trace's waterfall (/traces/<id>) is under Traces.
          class: p === path || (p !== '/' && path.startsWith(`${p}/`)) ? 'active' : undefined,
          'data-nav': true,
        },
        label,
      ),
    );

  const p = ctx.params();
  const range = rangeOf(p);
  const select = h('select', { id: 'range', 'aria-label': 'time range' });
  for (const [name] of RANGES) select.append(h('option', { value: name }, `Last ${name}`));
  select.append(h('option', { value: 'custom' }, 'Custom…'));
  select.value = range.kind === 'preset' ? range.name : 'custom';

  const from = h('input', { type: 'datetime-local', id: 'from', 'aria-label': 'from' });
  const to = h('input', { type: 'datetime-local', id: 'to', 'aria-label': 'to' });
  const now = Date.now();
  from.value = localInput(range.kind === 'fixed' ? range.from : now - 3_600_000);
  to.value = localInput(range.kind === 'fixed' ? range.to : now);
  const apply = h('button', { type: 'button', id: 'apply-range' }, 'Apply');
  const custom = h('span', { class: 'custom', hidden: range.kind !== 'fixed' }, from, to, apply);
  select.addEventListener('change', () => {
    if (select.value === 'custom') {
      custom.hidden = false;
      return;
    }
    ctx.setParams({ range: select.value, from: undefined, to: undefined }, true);
  });
  apply.addEventListener('click', () => {
    const f = Date.parse(from.value);
    const t = Date.parse(to.value);
    if (!Number.isFinite(f) || !Number.isFinite(t) || f >= t) {
      apply.setCustomValidity('the start must be before the end');
      apply.reportValidity();
      return;
    }
    ctx.setParams(
      { from: new Date(f).toISOString(), to: new Date(t).toISOString(), range: undefined },
      true,
    );
  });

  const refresh = h('select', { id: 'refresh', 'aria-label': 'auto-refresh' });
  for (const [name] of REFRESHES)
    refresh.append(h('option', { value: name }, name === 'off' ? 'Refresh off' : `Every ${name}`));
  refresh.value = p.get('refresh') ?? DEFAULT_REFRESH;
  refresh.addEventListener('change', () => ctx.setParams({ refresh: refresh.value }));
  if (!Number.isFinite(parseTimeParam(p.get('from')))) custom.hidden = true;

  return h(
    'header',
    { class: 'top' },
    h('a', { href: ctx.href('/'), class: 'brand', 'data-nav': true }, 'Canopy'),
    nav,
    h('div', { class: 'picker' }, select, custom, refresh),
    h('span', { class: 'backend', title: 'where the data comes from' }, ctx.backend),
  );
}
