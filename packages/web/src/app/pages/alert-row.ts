/** One alert as a list item: state, name, labels, summary, since when, and links to graphs. */
import { h } from '../dom.js';
import { formatAgo, formatTime } from '../format.js';
import type { ApiAlert } from '../api.js';
import type { AppContext } from '../context.js';

/** Labels shown beside the name (the rest are in the tooltip). */
const SHOWN = ['service', 'instance', 'severity', 'tier'];

/** How much history a graph link shows before an alert began, seconds. */
const BEFORE = 3600;

/**
 * A link to a graph around a time: from an hour before `at` to 15 min after it (or now).
 *
 * @example graphRange(Date.parse('2025-03-01T12:00:00Z')) // { from: '2025-03-01T11:00:00.000Z', to: … }
 */
export function graphRange(at: number, now: number = Date.now()): { from: string; to: string } {
  return {
    from: new Date(at - BEFORE * 1000).toISOString(),
    to: new Date(Math.min(now, at + 900_000) + 60_000).toISOString(),
  };
}

/**
 * A list item for an alert; `expr` (the rule's) makes the graph link an Explore link.
 *
 * @example list.append(alertRow(ctx, alert, rule?.query))
 */
export function alertRow(ctx: AppContext, a: ApiAlert, expr?: string): HTMLElement {
  const at = a.activeAt !== undefined ? Date.parse(a.activeAt) : NaN;
  const range = Number.isFinite(at) ? graphRange(at) : undefined;
  const service = a.labels.service;
  const dashboard = ctx.model.dashboards.some((d) => d.id === service)
    ? h('a', { href: ctx.href(`/d/${service}`, range), 'data-nav': true }, 'dashboard')
    : null;
  const graph =
    expr !== undefined
      ? h('a', { href: ctx.href('/explore', { q: expr, ...range }), 'data-nav': true }, 'graph')
      : null;
  const labels = SHOWN.flatMap((k) =>
    a.labels[k] !== undefined ? [h('span', { class: 'label' }, `${k}=${a.labels[k]}`)] : [],
  );
  return h(
    'li',
    { class: `alert ${a.state}`, 'data-alertname': a.labels.alertname ?? '' },
    h('span', { class: `pill ${a.state}` }, a.state),
    h('strong', {}, a.labels.alertname ?? '(no name)'),
    ...labels,
    a.annotations.summary !== undefined
      ? h('span', { class: 'summary' }, a.annotations.summary)
      : null,
    Number.isFinite(at)
      ? h('span', { class: 'since', title: formatTime(at) }, `since ${formatAgo(at)}`)
      : null,
    graph,
    dashboard,
  );
}
