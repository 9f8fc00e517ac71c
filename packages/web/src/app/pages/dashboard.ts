/** A service dashboard: every panel of the model's dashboard, section by section. */
import { h, replace } from '../dom.js';
import { graphCard, type GraphCard } from '../panel.js';
import type { AppContext, Page } from '../context.js';

/**
 * Renders dashboard `id` into `root`; an unknown id says which exist.
 *
 * @example const page = dashboardPage(ctx, main, 'relay'); await page.refresh(signal)
 */
export function dashboardPage(ctx: AppContext, root: HTMLElement, id: string): Page {
  const d = ctx.model.dashboards.find((x) => x.id === id);
  if (d === undefined) {
    replace(
      root,
      h('h1', {}, 'No such dashboard'),
      h(
        'p',
        { class: 'status error' },
        `There is no dashboard "${id}". Dashboards: `,
        ...ctx.model.dashboards.flatMap((x, i) => [
          i > 0 ? ', ' : '',
          h('a', { href: ctx.href(`/d/${x.id}`), 'data-nav': true }, x.id),
        ]),
      ),
    );
    return { refresh: async () => {} };
  }
  const cards: GraphCard[] = [];
  const sections = d.sections.map((s) => {
    const grid = h('div', { class: 'grid' });
    for (const p of s.panels) {
      const c = graphCard(ctx, p);
      cards.push(c);
      grid.append(c.el);
    }
    return h('section', { class: 'dash-section' }, h('h2', {}, s.title), grid);
  });
  replace(root, h('h1', {}, d.title), h('p', { class: 'lede' }, d.description), ...sections);
  return {
    async refresh(signal) {
      await Promise.all(cards.map((c) => c.load(signal)));
    },
    dispose() {
      for (const c of cards) c.dispose();
    },
  };
}
