/**
 * Targets: each scrape target's health, last scrape, its duration and samples, last error;
 * targets pushing with remote_write show their last push and samples per second.
 */
import { h, replace } from '../dom.js';
import { formatTime } from '../format.js';
import { targetCells } from './target-cells.js';
import { samples } from '../api.js';
import { describeError } from '../panel.js';
import type { AppContext, Page } from '../context.js';

/**
 * Renders the targets page into `root`.
 *
 * @example const page = targetsPage(ctx, main); await page.refresh(signal)
 */
export function targetsPage(ctx: AppContext, root: HTMLElement): Page {
  const body = h('div', { id: 'targets' }, h('p', { class: 'status' }, 'Loading…'));
  replace(root, h('h1', {}, 'Targets'), body);
  return {
    async refresh(signal) {
      const [targetsR, samplesR] = await Promise.allSettled([
        ctx.api.targets(signal),
        ctx.api.query('scrape_samples_scraped', undefined, signal),
      ]);
      if (targetsR.status === 'rejected') {
        replace(
          body,
          h(
            'p',
            { class: 'status error' },
            `Targets unavailable: ${describeError(targetsR.reason)}`,
          ),
        );
        return;
      }
      const scraped = new Map<string, string>();
      if (samplesR.status === 'fulfilled')
        for (const s of samples(samplesR.value))
          scraped.set(
            `${s.metric.service ?? s.metric.job ?? ''}|${s.metric.instance ?? ''}`,
            s.value[1],
          );
      const ts = [...targetsR.value].sort((a, b) =>
        `${a.labels.service ?? a.labels.job}${a.labels.instance}` <
        `${b.labels.service ?? b.labels.job}${b.labels.instance}`
          ? -1
          : 1,
      );
      const up = ts.filter((t) => t.health === 'up').length;
      const tbody = h('tbody', {});
      for (const t of ts) {
        const c = targetCells(t, scraped);
        tbody.append(
          h(
            'tr',
            {
              class: `target ${t.health}${c.pushed ? ' pushed' : ''}`,
              'data-instance': c.instance,
            },
            h('td', {}, c.service),
            h('td', {}, c.instance),
            h(
              'td',
              {},
              h(
                'span',
                {
                  class: `badge ${t.health === 'up' ? 'up' : t.health === 'down' ? 'down' : 'unknown'}`,
                },
                t.health,
              ),
            ),
            h('td', { title: c.last === undefined ? '' : formatTime(c.last) }, c.lastText),
            h('td', {}, c.duration),
            h('td', {}, c.samples),
            h('td', { class: 'url' }, c.url),
            h('td', { class: c.error !== '' ? 'error' : '' }, c.error),
          ),
        );
      }
      replace(
        body,
        h('p', { class: 'lede' }, `${up} of ${ts.length} targets up.`),
        samplesR.status === 'rejected'
          ? h(
              'p',
              { class: 'status error' },
              `Samples per scrape unavailable: ${describeError(samplesR.reason)}`,
            )
          : null,
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
                ...[
                  'Service',
                  'Instance',
                  'State',
                  'Last scrape',
                  'Duration',
                  'Samples',
                  'URL',
                  'Last error',
                ].map((c) => h('th', {}, c)),
              ),
            ),
            tbody,
          ),
        ),
      );
    },
  };
}
