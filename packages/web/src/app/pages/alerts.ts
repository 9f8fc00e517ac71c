/**
 * Alerts: firing, pending and recently resolved (from the ALERTS series over the range),
 * each with its rule's expression and value, and links to graphs at the alert's time.
 */
import { h, replace } from '../dom.js';
import { formatTime } from '../format.js';
import { bounds, stepFor } from '../state.js';
import type { ApiAlert, ApiRule, Metric } from '../api.js';
import { describeError } from '../panel.js';
import { alertRow, graphRange } from './alert-row.js';
import type { AppContext, Page } from '../context.js';

/** An alert that fired in the range and is no longer active. */
export interface ResolvedAlert {
  readonly labels: Metric;
  /** First and last time the range saw it firing, Unix ms. */
  readonly firstSeen: number;
  readonly lastSeen: number;
}

const key = (m: Metric): string =>
  JSON.stringify(
    Object.entries(m)
      .filter(([k]) => k !== '__name__' && k !== 'alertstate')
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );

/**
 * Alerts that were firing in the range (`ALERTS{alertstate="firing"}` series) and are not
 * active now, newest first.
 *
 * @example resolvedAlerts(series, active).map((a) => a.labels.alertname)
 */
export function resolvedAlerts(
  series: readonly { metric: Metric; values: readonly (readonly [number, string])[] }[],
  active: readonly ApiAlert[],
): ResolvedAlert[] {
  const now = new Set(active.map((a) => key(a.labels)));
  const out: ResolvedAlert[] = [];
  for (const s of series) {
    if (now.has(key(s.metric)) || s.values.length === 0) continue;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.metric))
      if (k !== '__name__' && k !== 'alertstate') labels[k] = v;
    out.push({
      labels,
      firstSeen: s.values[0]![0] * 1000,
      lastSeen: s.values[s.values.length - 1]![0] * 1000,
    });
  }
  return out.sort((a, b) => b.lastSeen - a.lastSeen);
}

/**
 * Renders the alerts page into `root`.
 *
 * @example const page = alertsPage(ctx, main); await page.refresh(signal)
 */
export function alertsPage(ctx: AppContext, root: HTMLElement): Page {
  const firing = h('section', { id: 'alerts-firing' });
  const pending = h('section', { id: 'alerts-pending' });
  const resolved = h('section', { id: 'alerts-resolved' });
  const rules = h('section', { id: 'alert-rules' });
  replace(root, h('h1', {}, 'Alerts'), firing, pending, resolved, rules);

  const ruleOf = (all: readonly ApiRule[], name: string | undefined) =>
    all.find((r) => r.name === name);

  function list(
    el: HTMLElement,
    title: string,
    alerts: readonly ApiAlert[],
    all: readonly ApiRule[],
  ): void {
    replace(el, h('h2', {}, `${title} (${alerts.length})`));
    if (alerts.length === 0) {
      el.append(h('p', { class: 'status empty' }, `No ${title.toLowerCase()} alerts.`));
      return;
    }
    const ul = h('ul', { class: 'alert-list' });
    for (const a of alerts) {
      const rule = ruleOf(all, a.labels.alertname);
      const li = alertRow(ctx, a, rule?.query);
      li.append(
        h(
          'div',
          { class: 'alert-detail' },
          a.value !== undefined ? h('span', {}, `value ${a.annotations.value ?? a.value}`) : null,
          a.annotations.budget_left !== undefined ? h('span', {}, a.annotations.budget_left) : null,
          rule !== undefined ? h('code', { class: 'expr' }, rule.query) : null,
        ),
      );
      ul.append(li);
    }
    el.append(ul);
  }

  return {
    async refresh(signal) {
      const [alertsR, rulesR] = await Promise.allSettled([
        ctx.api.alerts(signal),
        ctx.api.alertRules(signal),
      ]);
      const all = rulesR.status === 'fulfilled' ? rulesR.value : [];
      if (alertsR.status === 'rejected') {
        replace(
          firing,
          h('h2', {}, 'Firing'),
          h('p', { class: 'status error' }, `Alerts unavailable: ${describeError(alertsR.reason)}`),
        );
        replace(pending);
      } else {
        list(
          firing,
          'Firing',
          alertsR.value.filter((a) => a.state === 'firing'),
          all,
        );
        list(
          pending,
          'Pending',
          alertsR.value.filter((a) => a.state === 'pending'),
          all,
        );
      }
      const { start, end } = bounds(ctx.range());
      const step = stepFor(end - start, 500, ctx.model.scrapeIntervalSeconds);
      try {
        const series = await ctx.api.queryRange(
          'ALERTS{alertstate="firing"}',
          start,
          end,
          step,
          signal,
        );
        const done = resolvedAlerts(series, alertsR.status === 'fulfilled' ? alertsR.value : []);
        replace(resolved, h('h2', {}, `Resolved in this range (${done.length})`));
        if (done.length === 0)
          resolved.append(h('p', { class: 'status empty' }, 'No alert resolved in this range.'));
        else {
          const ul = h('ul', { class: 'alert-list' });
          for (const r of done) {
            const rule = ruleOf(all, r.labels.alertname);
            const range = graphRange(r.firstSeen);
            ul.append(
              h(
                'li',
                { class: 'alert resolved', 'data-alertname': r.labels.alertname ?? '' },
                h('span', { class: 'pill resolved' }, 'resolved'),
                h('strong', {}, r.labels.alertname ?? ''),
                ...['service', 'instance', 'severity'].flatMap((k) =>
                  r.labels[k] !== undefined
                    ? [h('span', { class: 'label' }, `${k}=${r.labels[k]}`)]
                    : [],
                ),
                h(
                  'span',
                  { class: 'since' },
                  `fired ${formatTime(r.firstSeen)}, last seen ${formatTime(r.lastSeen)}`,
                ),
                rule !== undefined
                  ? h(
                      'a',
                      { href: ctx.href('/explore', { q: rule.query, ...range }), 'data-nav': true },
                      'graph',
                    )
                  : null,
              ),
            );
          }
          resolved.append(ul);
        }
      } catch (e) {
        replace(
          resolved,
          h('h2', {}, 'Resolved in this range'),
          h('p', { class: 'status error' }, describeError(e)),
        );
      }
      if (rulesR.status === 'rejected') {
        replace(
          rules,
          h('h2', {}, 'Rules'),
          h('p', { class: 'status error' }, `Rules unavailable: ${describeError(rulesR.reason)}`),
        );
        return;
      }
      const table = h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Alert'),
            h('th', {}, 'For'),
            h('th', {}, 'Severity'),
            h('th', {}, 'Expression'),
            h('th', {}, 'Health'),
          ),
        ),
      );
      const body = h('tbody', {});
      for (const r of all)
        body.append(
          h(
            'tr',
            {},
            h('td', {}, r.name),
            h('td', {}, r.duration !== undefined ? `${r.duration}s` : ''),
            h('td', {}, r.labels?.severity ?? ''),
            h('td', {}, h('code', { class: 'expr' }, r.query)),
            h(
              'td',
              { class: r.health === 'err' ? 'error' : '' },
              r.lastError !== undefined && r.lastError !== ''
                ? `${r.health ?? ''}: ${r.lastError}`
                : (r.health ?? ''),
            ),
          ),
        );
      table.append(body);
      replace(
        rules,
        h('h2', {}, `Alerting rules (${all.length})`),
        h('div', { class: 'table-wrap' }, table),
      );
    },
  };
}
