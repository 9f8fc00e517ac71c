/**
 * Traces: the slowest traces of the range, filtered by service, operation and a minimum
 * duration (all in the URL), each linking to its waterfall.
 */
import { h, replace } from '../dom.js';
import { bounds } from '../state.js';
import { formatSeconds, formatTime } from '../format.js';
import type { AppContext, Page } from '../context.js';
import { listTraces, traceServices } from '../traces/client.js';
import { describeSignalError } from '../traces/errors.js';
import { TRACE_LIMIT, traceListRequest } from '../traces/params.js';
import { serviceColour } from '../traces/colour.js';
import type { TraceService, TraceSummary } from '../traces/types.js';

/** Fills a select with `any` plus values, keeping the chosen one even when it is not listed. */
function fillSelect(
  sel: HTMLSelectElement,
  any: string,
  values: readonly string[],
  chosen: string,
): void {
  const all = [...new Set([...values, ...(chosen !== '' ? [chosen] : [])])].sort();
  replace(sel, h('option', { value: '' }, any), ...all.map((v) => h('option', { value: v }, v)));
  sel.value = chosen;
}

/**
 * A service name with its colour dot.
 *
 * @example cell.append(serviceTag('relay'))
 */
export function serviceTag(service: string): HTMLElement {
  return h(
    'span',
    { class: 'svc' },
    h('i', { class: 'dot', style: `background:${serviceColour(service)}`, 'aria-hidden': 'true' }),
    service,
  );
}

/**
 * Renders the trace list into `root`.
 *
 * @example const page = tracesPage(ctx, main); await page.refresh(signal)
 */
export function tracesPage(ctx: AppContext, root: HTMLElement): Page {
  const service = h('select', { id: 'trace-service', 'aria-label': 'service' });
  const operation = h('select', { id: 'trace-operation', 'aria-label': 'operation' });
  const min = h('input', {
    id: 'trace-min',
    type: 'text',
    inputmode: 'decimal',
    placeholder: 'any',
    size: 6,
    'aria-label': 'minimum duration in milliseconds',
  });
  const form = h(
    'form',
    { class: 'filters', id: 'trace-filters' },
    h('label', {}, 'Service ', service),
    h('label', {}, 'Operation ', operation),
    h('label', {}, 'Slower than ', min, ' ms'),
    h('button', { type: 'submit', class: 'primary' }, 'Find traces'),
  );
  const apply = () =>
    ctx.setParams(
      {
        service: service.value === '' ? undefined : service.value,
        operation: operation.value === '' ? undefined : operation.value,
        min_duration: min.value.trim() === '' ? undefined : min.value.trim(),
      },
      true,
    );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  service.addEventListener('change', () => {
    operation.value = '';
    apply();
  });
  operation.addEventListener('change', apply);

  const status = h('p', { class: 'status', id: 'traces-status', role: 'status' }, 'Loading…');
  const list = h('div', { id: 'trace-list' });
  replace(
    root,
    h('h1', {}, 'Traces'),
    h(
      'p',
      { class: 'lede' },
      'The slowest traces in the range, slowest first. Services send their spans to the hub over OTLP/HTTP (',
      h('code', {}, '/v1/traces'),
      ').',
    ),
    form,
    status,
    list,
  );
  let services: readonly TraceService[] = [];

  const showFilters = (p: URLSearchParams) => {
    const s = p.get('service') ?? '';
    const ops = new Set<string>();
    for (const x of services)
      if (s === '' || x.service === s) for (const o of x.operations) ops.add(o);
    fillSelect(
      service,
      'any service',
      services.map((x) => x.service),
      s,
    );
    fillSelect(operation, 'any operation', [...ops], p.get('operation') ?? '');
    if (document.activeElement !== min) min.value = p.get('min_duration') ?? '';
  };

  return {
    async refresh(signal) {
      const p = ctx.params();
      showFilters(p);
      const { start, end } = bounds(ctx.range());
      const req = traceListRequest(p, start, end);
      const [svcR, listR] = await Promise.allSettled([
        traceServices(ctx.api, signal),
        req.ok ? listTraces(ctx.api, req.params, signal) : Promise.reject(new Error(req.error)),
      ]);
      if (signal.aborted) return;
      if (svcR.status === 'fulfilled') {
        services = svcR.value;
        showFilters(p);
      }
      if (listR.status === 'rejected') {
        status.className = 'status error';
        replace(
          status,
          req.ok ? `Traces unavailable: ${describeSignalError(listR.reason, 'traces')}` : req.error,
        );
        list.classList.add('stale');
        if (!req.ok) list.textContent = '';
        return;
      }
      list.classList.remove('stale');
      // Slowest first, whatever order the backend used.
      const traces = [...listR.value].sort((a, b) => b.durationMs - a.durationMs);
      if (traces.length === 0) {
        status.className = 'status empty';
        replace(
          status,
          p.get('service') !== null || p.get('operation') !== null || p.get('min_duration') !== null
            ? 'No traces match these filters in this range.'
            : 'No traces in this range.',
        );
        list.textContent = '';
        return;
      }
      status.className = 'status';
      replace(
        status,
        traces.length >= TRACE_LIMIT
          ? `The ${traces.length} slowest traces (raise the minimum duration or narrow the range for others).`
          : `${traces.length} trace${traces.length === 1 ? '' : 's'}.`,
      );
      replace(list, traceTable(ctx, traces));
    },
  };
}

function traceTable(ctx: AppContext, traces: readonly TraceSummary[]): HTMLElement {
  const slowest = traces[0]?.durationMs ?? 0;
  const tbody = h('tbody', {});
  for (const t of traces) {
    const pct = slowest > 0 ? Math.max(1, (t.durationMs / slowest) * 100) : 0;
    tbody.append(
      h(
        'tr',
        {
          class: t.error ? 'trace error' : 'trace',
          'data-trace-id': t.traceId,
          'data-duration': t.durationMs,
        },
        h(
          'td',
          {},
          h(
            'a',
            { href: ctx.href(`/traces/${t.traceId}`), 'data-nav': true, class: 'trace-link' },
            serviceTag(t.rootService),
            ' ',
            h('span', { class: 'op' }, t.rootName),
          ),
        ),
        h(
          'td',
          { class: 'num' },
          formatSeconds(t.durationMs / 1000),
          h(
            'span',
            { class: 'bar dur', 'aria-hidden': 'true' },
            h('span', { style: `width:${pct}%` }),
          ),
        ),
        h('td', { class: 'num' }, t.spanCount),
        h('td', {}, ...t.services.map((s) => serviceTag(s))),
        h(
          'td',
          {},
          t.error
            ? h('span', { class: 'pill firing', title: 'a span ended with an error' }, 'error')
            : '',
        ),
        h('td', { class: 'time' }, formatTime(t.startMs)),
      ),
    );
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'traces' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Root service · operation', 'Duration', 'Spans', 'Services', 'Error', 'Start'].map(
            (c) => h('th', {}, c),
          ),
        ),
      ),
      tbody,
    ),
  );
}
