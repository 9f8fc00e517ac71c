/**
 * Logs: the services' log lines in the range, newest first, searched by full text and
 * filtered by service, lowest level and trace (all in the URL); levels coloured; a line's
 * trace links to its waterfall. The header's auto-refresh keeps it current.
 */
import { h, replace } from '../dom.js';
import { bounds } from '../state.js';
import { formatTime } from '../format.js';
import type { AppContext, Page } from '../context.js';
import { queryLogs } from '../traces/client.js';
import { describeSignalError } from '../traces/errors.js';
import { shortId } from '../traces/params.js';
import { LEVELS, LOG_LIMIT, fieldText, levelName, logRequest } from '../logs/query.js';
import type { LogEntry } from '../traces/types.js';
import { serviceTag } from './traces.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** Local `HH:MM:SS.mmm`, the date on hover. */
const clock = (t: number): string => {
  const d = new Date(t);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

/**
 * Renders the log view into `root`.
 *
 * @example const page = logsPage(ctx, main); await page.refresh(signal)
 */
export function logsPage(ctx: AppContext, root: HTMLElement): Page {
  const search = h('input', {
    id: 'log-search',
    type: 'search',
    placeholder: 'Search messages (full text)…',
    'aria-label': 'search log messages',
    spellcheck: 'false',
  });
  const service = h('select', { id: 'log-service', 'aria-label': 'service' });
  const level = h('select', { id: 'log-level', 'aria-label': 'lowest level' });
  level.append(h('option', { value: '' }, 'any level'));
  for (const [n] of LEVELS) level.append(h('option', { value: n }, `${n} and above`));
  const trace = h('input', {
    id: 'log-trace',
    type: 'text',
    placeholder: 'trace ID',
    size: 20,
    spellcheck: 'false',
    'aria-label': 'trace ID',
  });
  const form = h(
    'form',
    { class: 'filters', id: 'log-filters', role: 'search' },
    h('label', { class: 'grow' }, search),
    h('label', {}, 'Service ', service),
    h('label', {}, 'Level ', level),
    h('label', {}, 'Trace ', trace),
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
  );
  const apply = () =>
    ctx.setParams(
      {
        q: search.value.trim() === '' ? undefined : search.value.trim(),
        service: service.value === '' ? undefined : service.value,
        level: level.value === '' ? undefined : level.value,
        trace: trace.value.trim() === '' ? undefined : trace.value.trim(),
      },
      true,
    );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  service.addEventListener('change', apply);
  level.addEventListener('change', apply);

  const scope = h('p', { class: 'scope', id: 'log-scope', hidden: true });
  const status = h('p', { class: 'status', id: 'logs-status', role: 'status' }, 'Loading…');
  const list = h('div', { id: 'log-list' });
  replace(
    root,
    h('h1', {}, 'Logs'),
    h('p', { class: 'lede' }, "The services' log lines in the range, newest first."),
    form,
    scope,
    status,
    list,
  );
  const known = new Set(ctx.model.cards.map((c) => c.service).filter((s) => s !== 'host'));

  const showFilters = (p: URLSearchParams) => {
    const chosen = p.get('service') ?? '';
    const all = [...new Set([...known, ...(chosen !== '' ? [chosen] : [])])].sort();
    replace(
      service,
      h('option', { value: '' }, 'any service'),
      ...all.map((s) => h('option', { value: s }, s)),
    );
    service.value = chosen;
    level.value = LEVELS.some(([n]) => n === p.get('level')) ? p.get('level')! : '';
    const active = document.activeElement;
    if (active !== search) search.value = p.get('q') ?? '';
    if (active !== trace) trace.value = p.get('trace') ?? '';
    const t = p.get('trace') ?? '';
    scope.hidden = t === '';
    if (t !== '')
      replace(
        scope,
        'Lines of trace ',
        h('code', {}, t),
        ' · ',
        h(
          'a',
          { href: ctx.href(`/traces/${t}`), 'data-nav': true, id: 'log-scope-trace' },
          'its waterfall',
        ),
        ' · ',
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            id: 'log-scope-clear',
            onclick: () => ctx.setParams({ trace: undefined }, true),
          },
          'all lines',
        ),
      );
  };

  return {
    async refresh(signal) {
      const p = ctx.params();
      showFilters(p);
      const { start, end } = bounds(ctx.range());
      const req = logRequest(p, start, end);
      if (!req.ok) {
        status.className = 'status error';
        replace(status, req.error);
        list.textContent = '';
        return;
      }
      let lines: readonly LogEntry[];
      try {
        lines = await queryLogs(ctx.api, req.params, signal);
      } catch (e) {
        if (signal.aborted) return;
        status.className = 'status error';
        replace(status, `Logs unavailable: ${describeSignalError(e, 'logs')}`);
        list.classList.add('stale');
        return;
      }
      if (signal.aborted) return;
      for (const l of lines)
        if (typeof l.service === 'string' && l.service !== '') known.add(l.service);
      showFilters(p);
      list.classList.remove('stale');
      if (lines.length === 0) {
        status.className = 'status empty';
        const filtered = ['q', 'service', 'level', 'trace'].some((k) => p.get(k) !== null);
        replace(
          status,
          filtered
            ? 'No log lines match in this range. Widen the range or loosen the filters.'
            : 'No log lines in this range.',
        );
        list.textContent = '';
        return;
      }
      status.className = 'status';
      replace(
        status,
        lines.length >= LOG_LIMIT
          ? `The newest ${lines.length} lines (narrow the search or the range for older ones).`
          : `${lines.length} line${lines.length === 1 ? '' : 's'}.`,
      );
      // Newest first, whatever order the backend used (stable for equal times).
      const sorted = [...lines].sort((a, b) => b.timeMs - a.timeMs);
      replace(list, logTable(ctx, sorted));
    },
  };
}

function logTable(ctx: AppContext, lines: readonly LogEntry[]): HTMLElement {
  const tbody = h('tbody', {});
  for (const l of lines) {
    const lvl = levelName(l.level);
    tbody.append(
      h(
        'tr',
        { class: `log lvl-${lvl}`, 'data-level': lvl, 'data-trace-id': l.traceId ?? '' },
        h('td', { class: 'time', title: formatTime(l.timeMs) }, clock(l.timeMs)),
        h('td', {}, h('span', { class: `lvl lvl-${lvl}` }, lvl)),
        h('td', {}, serviceTag(l.service)),
        h('td', { class: 'msg' }, l.msg),
        h('td', { class: 'fields' }, fieldText(l.fields)),
        h(
          'td',
          {},
          l.traceId !== undefined && l.traceId !== ''
            ? h(
                'a',
                {
                  href: ctx.href(
                    `/traces/${l.traceId}`,
                    l.spanId !== undefined ? { span: l.spanId } : {},
                  ),
                  'data-nav': true,
                  class: 'trace-link',
                  title: `trace ${l.traceId}`,
                },
                shortId(l.traceId),
              )
            : '',
        ),
      ),
    );
  }
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'logs' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Time', 'Level', 'Service', 'Message', 'Fields', 'Trace'].map((c) => h('th', {}, c)),
        ),
      ),
      tbody,
    ),
  );
}
