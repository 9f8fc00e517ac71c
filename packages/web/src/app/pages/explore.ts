/**
 * Explore: a PromQL box with a graph over the range and a table at its end. The query is
 * in the URL (`?q=`), so alert links and shared links open on it.
 */
import { h, replace } from '../dom.js';
import { bounds } from '../state.js';
import { describeError, loadGraph } from '../panel.js';
import type { DrawnChart } from '../chart.js';
import type { InstantResult, Metric } from '../api.js';
import type { AppContext, Page } from '../context.js';
import type { QueryEditor } from './explore-editor.js';

const labelText = (m: Metric): string => {
  const name = m.__name__ ?? '';
  const rest = Object.entries(m)
    .filter(([k]) => k !== '__name__')
    .map(([k, v]) => `${k}="${v}"`);
  return rest.length === 0 ? name || '{}' : `${name}{${rest.join(', ')}}`;
};

/**
 * Rows of a table for an instant query's result.
 *
 * @example resultRows({ resultType: 'scalar', result: [0, '1'] }) // [['scalar', '1']]
 */
export function resultRows(r: InstantResult): [string, string][] {
  switch (r.resultType) {
    case 'vector':
      return r.result.map((s) => [labelText(s.metric), s.value[1]]);
    case 'scalar':
      return [['scalar', r.result[1]]];
    case 'string':
      return [['string', r.result[1]]];
    default:
      return r.result.map((s) => [
        labelText(s.metric),
        s.values.map(([t, v]) => `${v} @${t}`).join('\n'),
      ]);
  }
}

/**
 * Renders Explore into `root`.
 *
 * @example const page = explorePage(ctx, main); await page.refresh(signal)
 */
export function explorePage(ctx: AppContext, root: HTMLElement): Page {
  const initial = ctx.params().get('q') ?? '';
  const tab = ctx.params().get('tab') === 'table' ? 'table' : 'graph';
  const fallback = h('textarea', {
    id: 'query-fallback',
    rows: 2,
    'aria-label': 'PromQL query',
    spellcheck: 'false',
  });
  fallback.value = initial;
  const editorBox = h('div', { class: 'editor', id: 'query' }, fallback);
  let editor: QueryEditor | undefined;
  const current = () => editor?.value() ?? fallback.value;
  const submit = (q: string) => ctx.setParams({ q: q.trim() === '' ? undefined : q.trim() }, true);
  fallback.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      submit(fallback.value);
    }
  });
  void import('./explore-editor.js')
    .then((m) => {
      const text = fallback.value;
      editorBox.textContent = '';
      editor = m.createEditor(editorBox, text, submit);
      editorBox.dataset.editor = 'codemirror';
    })
    .catch(() => {
      // The plain box keeps working without highlighting and completion.
    });
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist' },
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        'aria-selected': String(tab === 'graph'),
        onclick: () => ctx.setParams({ tab: undefined }),
      },
      'Graph',
    ),
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        'aria-selected': String(tab === 'table'),
        onclick: () => ctx.setParams({ tab: 'table' }),
      },
      'Table',
    ),
  );
  const status = h('div', { class: 'status', role: 'status', id: 'explore-status' });
  const out = h('div', {
    class: tab === 'graph' ? 'chart explore-chart' : 'explore-table',
    id: 'explore-out',
  });
  replace(
    root,
    h('h1', {}, 'Explore'),
    h(
      'div',
      { class: 'query-row' },
      editorBox,
      h(
        'button',
        { type: 'button', id: 'run', class: 'primary', onclick: () => submit(current()) },
        'Run',
      ),
    ),
    tabs,
    status,
    out,
  );
  let chart: DrawnChart | undefined;
  return {
    async refresh(signal) {
      const q = ctx.params().get('q') ?? '';
      chart?.dispose();
      chart = undefined;
      out.textContent = '';
      if (q === '') {
        status.className = 'status empty';
        replace(status, 'Enter a PromQL expression and press Enter or Run.');
        return;
      }
      status.className = 'status';
      replace(status, 'Running…');
      if (tab === 'graph') {
        const r = await loadGraph(
          ctx,
          out,
          { queries: [{ expr: q, legend: '' }], thresholds: [], unit: 'number' },
          signal,
        );
        chart = r.chart;
        out.dataset.points = String(r.points);
        status.className = r.error
          ? 'status error'
          : r.chart === undefined
            ? 'status empty'
            : 'status';
        replace(status, r.status === '' ? `${r.last.length} series, ${r.points} points` : r.status);
        return;
      }
      try {
        const r = await ctx.api.query(q, bounds(ctx.range()).end, signal);
        const rows = resultRows(r);
        replace(
          status,
          `${rows.length} result${rows.length === 1 ? '' : 's'} at the end of the range`,
        );
        out.append(
          rows.length === 0
            ? h('p', { class: 'status empty' }, 'Empty result: no series match at this time.')
            : h(
                'div',
                { class: 'table-wrap' },
                h(
                  'table',
                  {},
                  h(
                    'tbody',
                    {},
                    ...rows.map(([k, v]) =>
                      h('tr', {}, h('td', {}, h('code', {}, k)), h('td', { class: 'num' }, v)),
                    ),
                  ),
                ),
              ),
        );
      } catch (e) {
        status.className = 'status error';
        replace(status, describeError(e));
      }
    },
    dispose() {
      chart?.dispose();
      editor?.destroy();
    },
  };
}
