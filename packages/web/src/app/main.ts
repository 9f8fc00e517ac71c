/**
 * The browser app: reads the page set the server inlined, routes by path, keeps the view in
 * the URL, refreshes the page on a timer, and says when the backend cannot be reached
 * while the rest of the page keeps what it had.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { UiConfig } from '../server/page.js';
import { PromApi, type ApiError } from './api.js';
import { h, replace } from './dom.js';
import { rangeOf, refreshOf } from './state.js';
import { renderHeader } from './header.js';
import type { AppContext, Page, ParamChanges } from './context.js';
import { overviewPage } from './pages/overview.js';
import { dashboardPage } from './pages/dashboard.js';
import { alertsPage } from './pages/alerts.js';
import { targetsPage } from './pages/targets.js';
import { budgetPage } from './pages/budget.js';
import { explorePage } from './pages/explore.js';
import { tracesPage } from './pages/traces.js';
import { tracePage } from './pages/trace.js';
import { logsPage } from './pages/logs.js';

performance.mark('canopy:start');
const config = JSON.parse(document.getElementById('canopy-config')!.textContent!) as UiConfig;
const app = document.getElementById('app')!;
const banner = h('div', { class: 'banner', id: 'backend-banner', role: 'alert', hidden: true });
const headerSlot = h('div', {});
const main = h('main', { id: 'page' });
app.append(headerSlot, banner, main);

const api = new PromApi({
  onReachable(ok: boolean, e?: ApiError) {
    if (ok) {
      banner.hidden = true;
      return;
    }
    banner.hidden = false;
    replace(
      banner,
      `${e?.kind === 'timeout' ? 'The backend is slow' : 'Cannot reach the backend'} (${config.backend}): ${e?.message ?? ''}. `,
      'What was shown stays, greyed; every part retries on the next refresh.',
    );
  },
});

/** Parameters that stay when moving between pages. */
const KEEP = ['range', 'from', 'to', 'refresh'];

const ctx: AppContext = {
  model: config.model,
  backend: config.backend,
  api,
  params: () => new URLSearchParams(location.search),
  range: () => rangeOf(new URLSearchParams(location.search)),
  href(path, extra = {}) {
    const now = new URLSearchParams(location.search);
    const p = new URLSearchParams();
    for (const k of KEEP) {
      const v = now.get(k);
      if (v !== null && !(k in extra)) p.set(k, v);
    }
    if (extra.from !== undefined) p.delete('range');
    for (const [k, v] of Object.entries(extra)) if (v !== undefined) p.set(k, v);
    const s = p.toString();
    return s === '' ? path : `${path}?${s}`;
  },
  setParams(changes: ParamChanges, push = false) {
    const p = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined) p.delete(k);
      else p.set(k, v);
    }
    const s = p.toString();
    const url = s === '' ? location.pathname : `${location.pathname}?${s}`;
    if (push) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
    route();
  },
  zoom(from, to) {
    ctx.setParams(
      {
        from: new Date(from * 1000).toISOString(),
        to: new Date(to * 1000).toISOString(),
        range: undefined,
      },
      true,
    );
  },
};

let page: Page | undefined;
let pageKey = '';
let inflight: AbortController | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshes = 0;

function create(path: string): { key: string; make: () => Page } {
  const d = /^\/d\/([^/]+)\/?$/.exec(path);
  if (d !== null) return { key: `d:${d[1]!}`, make: () => dashboardPage(ctx, main, d[1]!) };
  const t = /^\/traces\/([^/]+)\/?$/.exec(path);
  if (t !== null) {
    const id = decodeURIComponent(t[1]!);
    return { key: `trace:${id}`, make: () => tracePage(ctx, main, id) };
  }
  // Explore is rebuilt when its query or tab changes: the editor then shows the URL's query.
  const p = ctx.params();
  switch (path.replace(/\/$/, '')) {
    case '/alerts':
      return { key: 'alerts', make: () => alertsPage(ctx, main) };
    case '/targets':
      return { key: 'targets', make: () => targetsPage(ctx, main) };
    case '/budget':
      return { key: 'budget', make: () => budgetPage(ctx, main) };
    case '/traces':
      return { key: 'traces', make: () => tracesPage(ctx, main) };
    case '/logs':
      return { key: 'logs', make: () => logsPage(ctx, main) };
    case '/explore':
      return {
        key: `explore:${p.get('q') ?? ''}:${p.get('tab') ?? ''}`,
        make: () => explorePage(ctx, main),
      };
    default:
      return { key: 'overview', make: () => overviewPage(ctx, main) };
  }
}

/** Renders the page of the current URL (a new one only when the page changed), then loads it. */
function route(): void {
  replace(headerSlot, renderHeader(ctx, location.pathname.replace(/(.)\/$/, '$1')));
  const { key, make } = create(location.pathname);
  if (key !== pageKey) {
    page?.dispose?.();
    pageKey = key;
    page = make();
    document.documentElement.dataset.page = key.split(':')[0]!;
  }
  void load();
}

async function load(): Promise<void> {
  clearTimeout(timer);
  inflight?.abort();
  const ac = new AbortController();
  inflight = ac;
  const p = page!;
  try {
    await p.refresh(ac.signal);
  } catch (e) {
    if (!ac.signal.aborted) console.error(e);
  }
  if (ac.signal.aborted) return;
  refreshes++;
  document.documentElement.dataset.refreshes = String(refreshes);
  if (refreshes === 1) performance.mark('canopy:first-render');
  const every = refreshOf(ctx.params());
  // A hidden tab does not poll: it refreshes when it is shown again.
  const next = () => {
    if (!document.hidden) void load();
    else document.addEventListener('visibilitychange', next, { once: true });
  };
  if (every > 0) timer = setTimeout(next, every * 1000);
}

document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest?.('a[data-nav]');
  if (a === null || a === undefined || e.defaultPrevented || e.button !== 0) return;
  if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  history.pushState(null, '', (a as HTMLAnchorElement).href);
  route();
  window.scrollTo(0, 0);
});
window.addEventListener('popstate', route);
route();
