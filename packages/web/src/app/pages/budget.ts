/**
 * Budget & privacy: active series per catalog metric against the most its label sets
 * allow, the whole backend against the deployment budget, and label values folded into
 * `other` (canopy_telemetry_label_overflow_total: what would have been a new series).
 */
import type { BudgetMetric } from '../../model/types.js';
import { h, replace } from '../dom.js';
import { bounds, expand } from '../state.js';
import { samples, type VectorSample } from '../api.js';
import { describeError } from '../panel.js';
import type { AppContext, Page } from '../context.js';

/**
 * Series names a catalog metric exposes: a histogram's `_bucket`, `_sum`, `_count`; a
 * counter's name and its `_created`.
 *
 * @example seriesNames({ metric: 'a_total', type: 'counter' }) // ['a_total', 'a_created']
 */
export function seriesNames(m: Pick<BudgetMetric, 'metric' | 'type'>): string[] {
  if (m.type === 'histogram') return ['_bucket', '_sum', '_count'].map((s) => m.metric + s);
  if (m.type === 'counter') return [m.metric, m.metric.replace(/_total$/, '_created')];
  return [m.metric];
}

/**
 * Active series per catalog row, from `count by (__name__, service)`.
 *
 * @example activeByMetric(model.budget.metrics, samples(await api.query(model.budget.activeQuery)))
 */
export function activeByMetric(
  metrics: readonly BudgetMetric[],
  counts: readonly VectorSample[],
): number[] {
  const byKey = new Map<string, number>();
  for (const s of counts)
    byKey.set(`${s.metric.service ?? ''}|${s.metric.__name__ ?? ''}`, Number(s.value[1]));
  return metrics.map((m) =>
    seriesNames(m).reduce((a, n) => a + (byKey.get(`${m.service}|${n}`) ?? 0), 0),
  );
}

const n = (x: number): string => x.toLocaleString('en-US');

function bar(value: number, max: number): HTMLElement {
  const pct = max > 0 ? Math.min(100, (100 * value) / max) : 0;
  return h(
    'span',
    { class: `bar ${value > max ? 'over' : ''}`, title: `${n(value)} of ${n(max)}` },
    h('span', { style: `width:${pct.toFixed(1)}%` }),
  );
}

/**
 * Renders the budget page into `root`.
 *
 * @example const page = budgetPage(ctx, main); await page.refresh(signal)
 */
export function budgetPage(ctx: AppContext, root: HTMLElement): Page {
  const b = ctx.model.budget;
  const summary = h('section', { id: 'budget-summary' });
  const table = h('section', { id: 'budget-metrics' });
  const overflow = h('section', { id: 'budget-overflow' });
  replace(root, h('h1', {}, 'Budget & privacy'), summary, overflow, table);
  return {
    async refresh(signal) {
      const { start, end } = bounds(ctx.range());
      const [countR, overR, upR] = await Promise.allSettled([
        ctx.api.query(b.activeQuery, end, signal),
        ctx.api.query(
          expand(b.overflowQuery, 60, end - start, ctx.model.scrapeIntervalSeconds),
          end,
          signal,
        ),
        ctx.api.query('count by (service) (up)', end, signal),
      ]);
      // Instances running may differ from those declared: the larger number is the ceiling.
      const seen = new Map<string, number>();
      if (upR.status === 'fulfilled')
        for (const s of samples(upR.value)) seen.set(s.metric.service ?? '', Number(s.value[1]));
      if (countR.status === 'rejected') {
        const msg = `Active series unavailable: ${describeError(countR.reason)}`;
        replace(summary, h('p', { class: 'status error' }, msg));
        replace(table);
      } else {
        const counts = samples(countR.value);
        const total = counts.reduce((a, s) => a + Number(s.value[1]), 0);
        const active = activeByMetric(b.metrics, counts);
        replace(
          summary,
          h(
            'div',
            { class: 'budget-totals' },
            h(
              'div',
              { class: 'stat' },
              h('span', { class: 'v', id: 'active-total' }, n(total)),
              h('span', { class: 't' }, 'active series in the backend'),
            ),
            h(
              'div',
              { class: 'stat' },
              h('span', { class: 'v' }, n(b.deploymentMax)),
              h('span', { class: 't' }, 'most the declared deployment can expose'),
            ),
            h(
              'div',
              { class: 'stat' },
              h('span', { class: 'v' }, n(b.series)),
              h('span', { class: 't' }, 'deployment budget'),
            ),
          ),
          h(
            'p',
            {},
            'Active series against the budget ',
            bar(total, b.series),
            ` ${((100 * total) / b.series).toFixed(1)}%`,
          ),
          total > b.series
            ? h(
                'p',
                { class: 'status error' },
                'Over the budget: check the overflow table and the catalog maxima below.',
              )
            : null,
        );
        const tbody = h('tbody', {});
        b.metrics.forEach((m, i) => {
          const instances = Math.max(m.instances, seen.get(m.service) ?? 0);
          const max = m.maxPerInstance * instances;
          const a = active[i]!;
          tbody.append(
            h(
              'tr',
              { 'data-metric': m.metric, 'data-service': m.service, class: a > max ? 'over' : '' },
              h('td', {}, m.service),
              h('td', {}, h('code', {}, m.metric)),
              h('td', { class: 'num' }, n(a)),
              h(
                'td',
                {
                  class: 'num',
                  title:
                    instances > m.instances
                      ? `${instances} instances running, ${m.instances} declared (deployment: in canopy.yaml)`
                      : `${m.instances} instance(s) declared`,
                },
                `${n(m.maxPerInstance)} × ${instances}`,
              ),
              h('td', {}, bar(a, max)),
            ),
          );
        });
        replace(
          table,
          h('h2', {}, 'Active series per catalog metric'),
          h(
            'p',
            { class: 'help' },
            "The maximum is what the catalog's closed label sets allow per instance, times the instances the deployment declares (canopy.yaml deployment:) or, when more run, the instances running.",
          ),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...['Service', 'Metric', 'Active', 'Maximum', ''].map((c) => h('th', {}, c)),
                ),
              ),
              tbody,
            ),
          ),
        );
      }
      if (overR.status === 'rejected') {
        replace(
          overflow,
          h('h2', {}, 'Label overflow'),
          h('p', { class: 'status error' }, describeError(overR.reason)),
        );
        return;
      }
      const rows = samples(overR.value).filter((s) => Number(s.value[1]) > 0);
      replace(
        overflow,
        h('h2', {}, 'Label overflow'),
        h(
          'p',
          { class: 'help' },
          'Label values outside a metric\'s declared set are folded into "other" and counted in canopy_telemetry_label_overflow_total — they never become series. Values folded in this range:',
        ),
        rows.length === 0
          ? h(
              'p',
              { class: 'status ok', id: 'overflow-none' },
              'None: every label value was in its declared set.',
            )
          : h(
              'table',
              { id: 'overflow-table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...['Service', 'Metric', 'Label', 'Folded into "other"'].map((c) =>
                    h('th', {}, c),
                  ),
                ),
              ),
              h(
                'tbody',
                {},
                ...rows.map((s) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, s.metric.service ?? ''),
                    h('td', {}, s.metric.metric ?? ''),
                    h('td', {}, s.metric.label ?? ''),
                    h('td', { class: 'num' }, n(Math.round(Number(s.value[1])))),
                  ),
                ),
              ),
            ),
      );
    },
  };
}
