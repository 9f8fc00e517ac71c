/**
 * One trace as a waterfall: a row per span in tree order, indented under its parent, its bar
 * placed by start and duration within the trace and coloured by service. Activating a row
 * (click, Enter or Space; arrow keys move between rows) opens the span's attributes, events
 * and status; the chosen span is in the URL (`?span=`). Links to the trace's logs.
 */
import { h, replace } from '../dom.js';
import { formatSeconds, formatTime } from '../format.js';
import type { AppContext, Page } from '../context.js';
import { getTrace } from '../traces/client.js';
import { describeSignalError, isNotFound } from '../traces/errors.js';
import { shortId, traceIdProblem, traceWindow } from '../traces/params.js';
import {
  axisTicks,
  layoutWaterfall,
  type WaterfallLayout,
  type WaterfallRow,
} from '../traces/waterfall.js';
import { serviceColour } from '../traces/colour.js';
import { isErrorStatus, kindName, statusName, type Span, type Trace } from '../traces/types.js';
import { serviceTag } from './traces.js';

const ms = (v: number): string => formatSeconds(v / 1000);
const valueText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Renders trace `traceId`'s waterfall into `root`.
 *
 * @example const page = tracePage(ctx, main, '4bf92f3577b34da6a3ce929d0e0e4736'); await page.refresh(signal)
 */
export function tracePage(ctx: AppContext, root: HTMLElement, traceId: string): Page {
  const back = h('a', { href: ctx.href('/traces'), 'data-nav': true, class: 'crumb' }, '← Traces');
  const title = h('h1', {}, `Trace ${shortId(traceId)}`);
  const status = h('p', { class: 'status', id: 'trace-status', role: 'status' }, 'Loading…');
  const body = h('div', { id: 'trace-body' });
  replace(root, back, title, status, body);
  const problem = traceIdProblem(traceId);
  if (problem !== '') {
    status.className = 'status error';
    replace(status, problem);
    return { refresh: async () => {} };
  }

  let view:
    | {
        layout: WaterfallLayout;
        rows: Map<string, HTMLButtonElement>;
        detail: HTMLElement;
        trace: Trace;
      }
    | undefined;

  const select = (spanId: string | null, focus = false) => {
    if (view === undefined) return;
    const row =
      spanId === null ? undefined : view.layout.rows.find((r) => r.span.spanId === spanId);
    for (const [id, el] of view.rows)
      el.setAttribute('aria-pressed', String(id === row?.span.spanId));
    replace(
      view.detail,
      row === undefined
        ? h('p', { class: 'help' }, 'Choose a span to see its attributes, events and status.')
        : spanDetail(ctx, view.layout, view.trace, row),
    );
    view.detail.dataset.span = row?.span.spanId ?? '';
    if (focus && row !== undefined) view.rows.get(row.span.spanId)?.focus();
  };

  const render = (trace: Trace) => {
    const layout = layoutWaterfall(trace.spans);
    const root0 = layout.rows[0]?.span;
    replace(
      title,
      root0 === undefined
        ? `Trace ${shortId(traceId)}`
        : h('span', {}, serviceTag(root0.service), ' ', root0.name),
    );
    const w = traceWindow(layout.startMs, layout.durationMs);
    const logs = h(
      'a',
      {
        id: 'trace-logs',
        href: ctx.href('/logs', { trace: traceId, from: String(w.from), to: String(w.to) }),
        'data-nav': true,
      },
      'Logs for this trace →',
    );
    const errors = layout.rows.filter((r) => isErrorStatus(r.span.status)).length;
    status.className = 'status';
    replace(
      status,
      h('code', {}, traceId),
      ` · ${ms(layout.durationMs)} · ${layout.rows.length} span${layout.rows.length === 1 ? '' : 's'} · ${layout.services.length} service${layout.services.length === 1 ? '' : 's'} · started ${formatTime(layout.startMs)}`,
      errors > 0
        ? h('span', { class: 'pill firing' }, `${errors} error${errors === 1 ? '' : 's'}`)
        : '',
      ' · ',
      logs,
    );

    const rows = new Map<string, HTMLButtonElement>();
    const list = h('ol', { class: 'wf-rows', id: 'waterfall', 'aria-label': 'spans' });
    for (const r of layout.rows) {
      const b = waterfallRow(r);
      b.addEventListener('click', () => {
        select(r.span.spanId);
        ctx.setParams({ span: r.span.spanId });
      });
      b.addEventListener('keydown', (e) => {
        if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End')
          return;
        e.preventDefault();
        const all = [...rows.values()];
        const i = all.indexOf(b);
        const j =
          e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? all.length - 1
              : i + (e.key === 'ArrowDown' ? 1 : -1);
        all[Math.max(0, Math.min(all.length - 1, j))]?.focus();
      });
      rows.set(r.span.spanId, b);
      list.append(h('li', {}, b));
    }
    const axis = h('div', { class: 'wf-axis', 'aria-hidden': 'true' });
    for (const t of axisTicks(layout.durationMs))
      axis.append(
        h(
          'span',
          { style: `left:${layout.durationMs > 0 ? (t / layout.durationMs) * 100 : 0}%` },
          ms(t),
        ),
      );
    const detail = h('aside', { class: 'span-detail', id: 'span-detail', 'aria-live': 'polite' });
    replace(
      body,
      h('div', { class: 'wf-legend' }, ...layout.services.map((s) => serviceTag(s))),
      h(
        'div',
        { class: 'trace-view' },
        h(
          'div',
          { class: 'waterfall' },
          h(
            'div',
            { class: 'wf-head' },
            h('span', { class: 'wf-name' }, 'Span'),
            h('div', { class: 'wf-track' }, axis),
          ),
          list,
        ),
        detail,
      ),
    );
    view = { layout, rows, detail, trace };
  };

  return {
    async refresh(signal) {
      // A trace does not change once shown: later refreshes only follow the URL's span.
      if (view !== undefined) {
        select(ctx.params().get('span'));
        return;
      }
      try {
        const trace = await getTrace(ctx.api, traceId, signal);
        if (signal.aborted) return;
        if (trace.spans.length === 0) throw new Error(`trace ${traceId} has no spans`);
        render(trace);
        select(ctx.params().get('span'));
      } catch (e) {
        if (signal.aborted) return;
        status.className = 'status error';
        replace(
          status,
          isNotFound(e)
            ? `No trace ${traceId} in the hub: its spans may not have arrived yet, or have passed the retention. The next refresh looks again.`
            : `Trace unavailable: ${describeSignalError(e, 'traces')}`,
        );
      }
    },
  };
}

/** One span's row: name column (indented, service colour) and its bar on the trace's time line. */
function waterfallRow(r: WaterfallRow): HTMLButtonElement {
  const s = r.span;
  const colour = serviceColour(s.service);
  const err = isErrorStatus(s.status);
  const notes: string[] = [];
  if (r.orphan) notes.push(`its parent span ${shortId(s.parentSpanId ?? '')} is not in the trace`);
  if (r.skewMs > 0)
    notes.push(`starts ${ms(r.skewMs)} before its parent (clock skew between hosts?)`);
  return h(
    'button',
    {
      type: 'button',
      class: `wf-row${err ? ' error' : ''}${r.orphan ? ' orphan' : ''}${r.skewMs > 0 ? ' skew' : ''}`,
      'data-span-id': s.spanId,
      'data-depth': r.depth,
      'aria-pressed': 'false',
      'aria-label': `${s.service} ${s.name}, ${ms(s.durationMs)}, starts at +${ms(r.offsetMs)}, depth ${r.depth}${err ? ', error' : ''}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`,
      title: notes.join('; '),
    },
    h(
      'span',
      { class: 'wf-name', style: `padding-left:${Math.min(r.depth, 24) * 14 + 4}px` },
      h('i', { class: 'dot', style: `background:${colour}`, 'aria-hidden': 'true' }),
      h('span', { class: 'svc-name' }, s.service),
      ' ',
      h('span', { class: 'op' }, s.name),
      err ? h('span', { class: 'pill firing' }, 'error') : '',
      r.orphan ? h('span', { class: 'pill pending', title: notes[0] }, 'no parent') : '',
      r.skewMs > 0 ? h('span', { class: 'pill pending' }, 'skew') : '',
    ),
    h(
      'span',
      { class: 'wf-track' },
      h('span', {
        class: 'wf-bar',
        style: `left:${r.leftPct}%;width:${r.widthPct}%;background:${colour}`,
      }),
      // The duration goes after the bar, or before it when the bar ends near the right edge.
      r.leftPct + r.widthPct > 85
        ? h(
            'span',
            { class: 'wf-dur before', style: `right:${100 - r.leftPct}%` },
            ms(s.durationMs),
          )
        : h(
            'span',
            { class: 'wf-dur', style: `left:${r.leftPct + r.widthPct}%` },
            ms(s.durationMs),
          ),
    ),
  );
}

/** The chosen span: what it is, its status, attributes and events. */
function spanDetail(
  ctx: AppContext,
  layout: WaterfallLayout,
  trace: Trace,
  r: WaterfallRow,
): HTMLElement {
  const s: Span = r.span;
  const attrs = Object.entries(s.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const parent =
    s.parentSpanId === null || s.parentSpanId === '' ? 'none (a root span)' : s.parentSpanId;
  const w = traceWindow(layout.startMs, layout.durationMs);
  const facts: [string, Node | string][] = [
    ['Service', serviceTag(s.service)],
    ['Kind', kindName(s.kind)],
    [
      'Status',
      h(
        'span',
        {},
        h(
          'span',
          {
            class: `pill ${isErrorStatus(s.status) ? 'firing' : statusName(s.status) === 'ok' ? 'met' : ''}`,
          },
          statusName(s.status),
        ),
        s.status?.message ? ` ${s.status.message}` : '',
      ),
    ],
    ['Starts', `+${ms(r.offsetMs)} (${formatTime(s.startMs)})`],
    ['Duration', ms(s.durationMs)],
    ['Span ID', h('code', {}, s.spanId)],
    ['Parent', h('code', {}, parent)],
  ];
  if (r.orphan)
    facts.push([
      'Note',
      'The parent span is not in this trace (not received, or dropped); shown as a root.',
    ]);
  if (r.skewMs > 0)
    facts.push([
      'Note',
      `Starts ${ms(r.skewMs)} before its parent: the two hosts' clocks disagree.`,
    ]);
  return h(
    'div',
    {},
    h('h2', {}, s.name),
    h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h3', {}, `Attributes (${attrs.length})`),
    attrs.length === 0
      ? h('p', { class: 'help' }, 'None.')
      : h(
          'table',
          { class: 'attrs' },
          h(
            'tbody',
            {},
            ...attrs.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, valueText(v)))),
          ),
        ),
    h('h3', {}, `Events (${s.events?.length ?? 0})`),
    (s.events?.length ?? 0) === 0
      ? h('p', { class: 'help' }, 'None.')
      : h(
          'ul',
          { class: 'events' },
          ...s.events.map((e) =>
            h(
              'li',
              {},
              h('span', { class: 'at' }, `+${ms(e.timeMs - layout.startMs)}`),
              ' ',
              h('strong', {}, e.name),
              ...Object.entries(e.attributes ?? {}).map(([k, v]) =>
                h('span', { class: 'label' }, `${k}=${valueText(v)}`),
              ),
            ),
          ),
        ),
    h(
      'p',
      {},
      h(
        'a',
        {
          href: ctx.href('/logs', { trace: trace.traceId, from: String(w.from), to: String(w.to) }),
          'data-nav': true,
        },
        'Logs for this trace →',
      ),
    ),
  );
}
