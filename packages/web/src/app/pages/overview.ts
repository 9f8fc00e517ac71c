/**
 * Overview: firing alerts on top, then one card per service — up/down, the numbers that say
 * whether it is overwhelmed, and each SLO with its status, error budget left and sparkline.
 */
import type { ServiceCard, SloView } from '../../model/types.js';
import { h, replace } from '../dom.js';
import { formatValue, formatAgo } from '../format.js';
import { samples, type ApiAlert } from '../api.js';
import { describeError, graphWindow, loadGraph } from '../panel.js';
import { expand } from '../state.js';
import type { DrawnChart } from '../chart.js';
import type { AppContext, Page } from '../context.js';
import { alertRow } from './alert-row.js';

/** An SLO's state as the overview shows it. */
export type SloStatus = 'firing' | 'pending' | 'violated' | 'met' | 'no data';

const violated = (v: number, s: SloView): boolean => {
  const t = s.indicator.threshold;
  switch (s.indicator.comparator) {
    case '<':
      return !(v < t);
    case '<=':
      return !(v <= t);
    case '>':
      return !(v > t);
    default:
      return !(v >= t);
  }
};

/**
 * The status of an SLO from its alerts and its indicator's latest value.
 *
 * @example sloStatus(slo, [], 0.5) // 'met' for an SLO whose threshold is above 0.5
 */
export function sloStatus(
  s: SloView,
  alerts: readonly ApiAlert[],
  latest: readonly (number | undefined)[],
): SloStatus {
  const own = alerts.filter((a) => a.labels.slo === s.name);
  if (own.some((a) => a.state === 'firing')) return 'firing';
  if (own.some((a) => a.state === 'pending')) return 'pending';
  const values = latest.filter((v): v is number => v !== undefined);
  if (values.length === 0) return 'no data';
  return values.some((v) => violated(v, s)) ? 'violated' : 'met';
}

const STATUS_TEXT: Readonly<Record<SloStatus, string>> = {
  firing: 'alert firing',
  pending: 'alert pending',
  violated: 'over threshold',
  met: 'met',
  'no data': 'no data',
};

interface SloRow {
  readonly view: SloView;
  readonly el: HTMLElement;
  readonly pill: HTMLElement;
  readonly budget: HTMLElement;
  readonly spark: HTMLElement;
  chart: DrawnChart | undefined;
}

interface CardView {
  readonly card: ServiceCard;
  readonly el: HTMLElement;
  readonly up: HTMLElement;
  readonly stats: HTMLElement[];
  readonly slos: SloRow[];
}

/**
 * Renders the overview into `root`.
 *
 * @example const page = overviewPage(ctx, main); await page.refresh(signal)
 */
export function overviewPage(ctx: AppContext, root: HTMLElement): Page {
  const strip = h('section', { class: 'alert-strip', id: 'firing', 'aria-label': 'firing alerts' });
  const byName = new Map(ctx.model.slos.map((s) => [s.name, s]));
  const cards: CardView[] = ctx.model.cards.map((card) => {
    const up = h('span', { class: 'badge' }, '…');
    const stats = card.headlines.map(() => h('span', { class: 'v' }, '…'));
    const slos: SloRow[] = card.slos.flatMap((name) => {
      const view = byName.get(name);
      if (view === undefined) return [];
      const pill = h('span', { class: 'pill' }, '…');
      const budget = h('span', { class: 'budget' }, '');
      const spark = h('div', { class: 'spark' });
      const el = h(
        'li',
        { class: 'slo', 'data-slo': name },
        h(
          'div',
          { class: 'slo-head' },
          pill,
          h('span', { class: 'desc', title: name }, view.description),
        ),
        h('div', { class: 'slo-body' }, spark, budget),
      );
      return [{ view, el, pill, budget, spark, chart: undefined }];
    });
    const el = h(
      'article',
      { class: 'card', 'data-service': card.service },
      h(
        'header',
        {},
        h('a', { href: ctx.href(`/d/${card.service}`), 'data-nav': true }, card.title),
        up,
      ),
      h(
        'div',
        { class: 'headlines' },
        ...card.headlines.map((hl, i) =>
          h(
            'div',
            { class: 'stat', title: hl.expr },
            stats[i]!,
            h('span', { class: 't' }, hl.title),
          ),
        ),
      ),
      slos.length > 0 ? h('ul', { class: 'slos' }, ...slos.map((s) => s.el)) : null,
    );
    return { card, el, up, stats, slos };
  });
  replace(
    root,
    h('h1', {}, 'Overview'),
    strip,
    h('div', { class: 'cards' }, ...cards.map((c) => c.el)),
  );

  async function loadAlerts(signal: AbortSignal): Promise<readonly ApiAlert[]> {
    try {
      const alerts = await ctx.api.alerts(signal);
      const active = [...alerts].sort((a, b) =>
        a.state === b.state ? 0 : a.state === 'firing' ? -1 : 1,
      );
      strip.className = active.some((a) => a.state === 'firing')
        ? 'alert-strip firing'
        : active.length > 0
          ? 'alert-strip pending'
          : 'alert-strip quiet';
      if (active.length === 0) replace(strip, h('p', {}, 'No alerts firing.'));
      else
        replace(
          strip,
          h(
            'h2',
            {},
            `${active.filter((a) => a.state === 'firing').length} firing, ${active.filter((a) => a.state === 'pending').length} pending`,
          ),
          h('ul', {}, ...active.map((a) => alertRow(ctx, a))),
        );
      return alerts;
    } catch (e) {
      strip.className = 'alert-strip error';
      replace(strip, h('p', {}, `Alerts unavailable: ${describeError(e)}`));
      return [];
    }
  }

  async function loadUp(signal: AbortSignal): Promise<void> {
    try {
      const r = samples(await ctx.api.query('up', undefined, signal));
      for (const c of cards) {
        const own = r.filter((s) => s.metric.service === c.card.service);
        const upCount = own.filter((s) => s.value[1] === '1').length;
        c.up.textContent = own.length === 0 ? 'no targets' : `${upCount}/${own.length} up`;
        c.up.className = `badge ${own.length === 0 ? 'unknown' : upCount === own.length ? 'up' : 'down'}`;
        c.el.dataset.up = `${upCount}/${own.length}`;
      }
    } catch (e) {
      for (const c of cards) {
        c.up.textContent = 'unknown';
        c.up.className = 'badge unknown';
        c.up.title = describeError(e);
      }
    }
  }

  async function loadStats(signal: AbortSignal): Promise<void> {
    const all = cards.flatMap((c) => c.card.headlines.map((hl, i) => ({ hl, el: c.stats[i]! })));
    const answers = await ctx.api.queryBatch(
      all.map((x) => x.hl.expr),
      undefined,
      signal,
    );
    all.forEach(({ hl, el }, i) => {
      const a = answers[i]!;
      if (a.status === 'fulfilled') {
        const r = a.value;
        el.textContent = r.length === 0 ? '—' : formatValue(Number(r[0]!.value[1]), hl.unit);
        el.title = r.length === 0 ? 'no data' : '';
        el.classList.remove('stale');
      } else {
        // Keep the last number, greyed, with the reason on hover.
        if (el.textContent === '…') el.textContent = '!';
        el.title = describeError(a.reason);
        el.classList.add('stale');
      }
    });
  }

  async function loadSlos(
    signal: AbortSignal,
    alerts: Promise<readonly ApiAlert[]>,
  ): Promise<void> {
    const budgets = ctx.api
      .query('slo:error_budget_remaining:ratio', undefined, signal)
      .then((r) => new Map(samples(r).map((s) => [s.metric.slo ?? '', Number(s.value[1])])))
      .catch((e: unknown) => describeError(e));
    // Every sparkline's indicator in one range query.
    const rows = cards.flatMap((c) => c.slos);
    const window = graphWindow(ctx, 60);
    const scrape = ctx.model.scrapeIntervalSeconds;
    const answers = await ctx.api.queryRangeBatch(
      rows.map((r) => expand(r.view.indicator.expr, window.step, window.seconds, scrape)),
      window.start,
      window.end,
      window.step,
      signal,
    );
    await Promise.all(
      rows.map(async (row, i) => {
        const g = await loadGraph(
          ctx,
          row.spark,
          {
            queries: [{ expr: row.view.indicator.expr, legend: row.view.indicator.legend }],
            thresholds: [{ value: row.view.indicator.threshold, label: 'threshold' }],
            unit: row.view.indicator.unit,
          },
          signal,
          {
            points: 60,
            compact: true,
            height: 36,
            ...(row.chart !== undefined ? { previous: row.chart } : {}),
            results: [answers[i]!],
            window,
          },
        );
        row.chart = g.chart;
        row.spark.title = g.status;
        row.spark.classList.toggle('stale', g.error);
        // A short word in the small box; the whole reason in its tooltip.
        if (g.chart === undefined)
          replace(row.spark, h('span', { class: 'spark-empty' }, g.status.split(' — ')[0]!));
        const status = sloStatus(row.view, await alerts, g.last);
        row.pill.textContent = STATUS_TEXT[status];
        row.pill.className = `pill ${status.replace(' ', '-')}`;
        row.el.dataset.status = status;
        const b = await budgets;
        if (typeof b === 'string') {
          row.budget.textContent = 'budget ?';
          row.budget.title = b;
        } else {
          const v = b.get(row.view.name);
          row.budget.textContent =
            v === undefined ? 'budget: no data' : `${formatValue(v, 'ratio')} budget left`;
          row.budget.title =
            v === undefined
              ? 'slo:error_budget_remaining:ratio has no sample: are the generated rules evaluated, and running for 5 min?'
              : `of the ${row.view.window} error budget (${row.view.target * 100}% objective)`;
          row.budget.className = `budget ${v !== undefined && v < 0 ? 'spent' : ''}`;
        }
      }),
    );
  }

  return {
    async refresh(signal) {
      const alerts = loadAlerts(signal);
      await Promise.all([alerts, loadUp(signal), loadStats(signal), loadSlos(signal, alerts)]);
      root.dataset.updated = formatAgo(Date.now());
    },
    dispose() {
      for (const c of cards) for (const s of c.slos) s.chart?.dispose();
    },
  };
}
