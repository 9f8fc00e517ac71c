import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Labels, Matcher, Querier } from '../model.js';
import { instantQuery, rangeQueryJson, PromQLError, type QueryData } from '../promql/index.js';
import { BadData, parseDurationParam, parseSelector, parseTime } from './params.js';
import type { RulesSource } from '../rules/api.js';
import type { PusherStatus } from '../remote-write/pushers.js';

/** A scrape target's state, as `/api/v1/targets` reports it. */
export interface TargetView {
  readonly service: string;
  readonly instance: string;
  readonly url: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastScrape: number | undefined;
  readonly lastScrapeDurationSeconds: number;
  readonly lastError: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** What the API reads from. */
export interface ApiSources {
  readonly querier: Querier;
  readonly metadata: (
    metric?: string,
  ) => Record<string, Array<{ type: string; help: string; unit: string }>>;
  readonly targets: () => readonly TargetView[];
  readonly version: string;
  /** Longest query evaluation. Default 120000 ms. */
  readonly queryTimeoutMs?: number;
  readonly now?: () => number;
  /** Rules and alerts for `/api/v1/rules` and `/api/v1/alerts`; none when absent. */
  readonly rules?: RulesSource;
  /** remote_write pushers, listed in `/api/v1/targets` after the scraped targets. */
  readonly pushers?: () => readonly PusherStatus[];
}

const MAX_BODY = 1 << 20;

function send(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

/** Sends JSON text already written. */
function sendText(res: ServerResponse, status: number, s: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(s),
    'cache-control': 'no-store',
  });
  res.end(s);
}

function success(res: ServerResponse, data: unknown): void {
  send(res, 200, { status: 'success', data });
}

function failure(res: ServerResponse, e: unknown): void {
  if (e instanceof BadData)
    return send(res, 400, { status: 'error', errorType: 'bad_data', error: e.message });
  if (e instanceof PromQLError) {
    const status = e.type === 'bad_data' ? 400 : e.type === 'timeout' ? 503 : 422;
    return send(res, status, { status: 'error', errorType: e.type, error: e.message });
  }
  send(res, 500, { status: 'error', errorType: 'internal', error: (e as Error).message });
}

async function readParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  if (req.method === 'POST') {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/x-www-form-urlencoded'))
      throw new BadData(`POST bodies must be application/x-www-form-urlencoded, got "${type}"`);
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) throw new BadData(`request body is over ${MAX_BODY} bytes`);
      chunks.push(c as Buffer);
    }
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
      params.append(k, v);
  }
  return params;
}

function matchersOf(params: URLSearchParams, required: boolean): Matcher[][] {
  const sets = params.getAll('match[]');
  if (required && sets.length === 0) throw new BadData('no match[] parameter provided');
  return sets.map(parseSelector);
}

function union<T>(
  sets: Matcher[][],
  all: () => T[],
  each: (m: Matcher[]) => T[],
  key: (x: T) => string,
): T[] {
  if (sets.length === 0) return all();
  const seen = new Map<string, T>();
  for (const m of sets) for (const x of each(m)) seen.set(key(x), x);
  return [...seen.values()];
}

const labelsId = (l: Labels): string => JSON.stringify(Object.entries(l).sort());
const rfc3339 = (ms: number | undefined): string =>
  ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString();

/**
 * The Prometheus HTTP API over a Querier: the subset Grafana and the web UI use, same
 * shapes and error types as Prometheus (`bad_data` 400, `execution` 422, `timeout` 503).
 * Returns false when the path is not an API path.
 */
export function apiHandler(
  src: ApiSources,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const now = src.now ?? Date.now;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const path = url.pathname;
    if (path === '/-/healthy' || path === '/-/ready') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(path === '/-/healthy' ? 'Canopy hub is Healthy.\n' : 'Canopy hub is Ready.\n');
      return true;
    }
    if (!path.startsWith('/api/v1/')) return false;
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST', 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'error',
          errorType: 'bad_data',
          error: `method ${req.method} not allowed`,
        }),
      );
      return true;
    }
    void (async () => {
      try {
        const p = await readParams(req, url);
        const t = now();
        const q = src.querier;
        const opts = { timeoutMs: src.queryTimeoutMs ?? 120_000 };
        switch (path) {
          case '/api/v1/query': {
            const expr = p.get('query');
            if (expr === null || expr === '')
              throw new BadData('invalid parameter "query": query must not be empty');
            const data: QueryData = instantQuery(
              q,
              expr,
              parseTime('time', p.get('time') ?? undefined, t),
              opts,
            );
            return success(res, data);
          }
          case '/api/v1/query_range': {
            const expr = p.get('query');
            if (expr === null || expr === '')
              throw new BadData('invalid parameter "query": query must not be empty');
            const start = parseTime('start', p.get('start') ?? undefined, NaN);
            const end = parseTime('end', p.get('end') ?? undefined, NaN);
            if (Number.isNaN(start))
              throw new BadData('invalid parameter "start": cannot parse "" to a valid timestamp');
            if (Number.isNaN(end))
              throw new BadData('invalid parameter "end": cannot parse "" to a valid timestamp');
            if (end < start)
              throw new BadData(
                'invalid parameter "end": end timestamp must not be before start time',
              );
            const stepRaw = p.get('step');
            if (stepRaw === null)
              throw new BadData('invalid parameter "step": cannot parse "" to a valid duration');
            const step = parseDurationParam('step', stepRaw);
            if (step <= 0)
              throw new BadData(
                'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
              );
            if ((end - start) / step > 11_000)
              throw new BadData(
                'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
              );
            // The answer's JSON text straight from the step arrays (see promql/json.ts).
            const data = rangeQueryJson(q, expr, start, end, step, opts);
            return sendText(res, 200, `{"status":"success","data":${data}}`);
          }
          case '/api/v1/series': {
            const sets = matchersOf(p, true);
            const start = parseTime('start', p.get('start') ?? undefined, -Infinity);
            const end = parseTime('end', p.get('end') ?? undefined, Infinity);
            return success(
              res,
              union(
                sets,
                () => [],
                (m) => q.series(m, start, end),
                labelsId,
              ),
            );
          }
          case '/api/v1/labels': {
            const sets = matchersOf(p, false);
            const start = parseTime('start', p.get('start') ?? undefined, -Infinity);
            const end = parseTime('end', p.get('end') ?? undefined, Infinity);
            const names = union(
              sets,
              () => q.labelNames([], start, end),
              (m) => q.labelNames(m, start, end),
              (x) => x,
            );
            return success(res, names.sort());
          }
          case '/api/v1/metadata': {
            const metric = p.get('metric') ?? undefined;
            const limit = Number(p.get('limit') ?? '-1');
            const md = src.metadata(metric === '' ? undefined : metric);
            if (limit >= 0) {
              const out: typeof md = {};
              for (const k of Object.keys(md).slice(0, limit)) out[k] = md[k]!;
              return success(res, out);
            }
            return success(res, md);
          }
          case '/api/v1/targets': {
            const active = src.targets().map((tg) => ({
              discoveredLabels: {
                __address__: new URL(tg.url).host,
                __metrics_path__: new URL(tg.url).pathname,
                __scheme__: new URL(tg.url).protocol.replace(':', ''),
                __scrape_interval__: `${tg.intervalMs / 1000}s`,
                __scrape_timeout__: `${tg.timeoutMs / 1000}s`,
                service: tg.service,
              },
              labels: { instance: tg.instance, service: tg.service },
              scrapePool: tg.service,
              scrapeUrl: tg.url,
              globalUrl: tg.url,
              lastError: tg.lastError,
              lastScrape: rfc3339(tg.lastScrape),
              lastScrapeDuration: tg.lastScrapeDurationSeconds,
              health: tg.health,
              scrapeInterval: `${tg.intervalMs / 1000}s`,
              scrapeTimeout: `${tg.timeoutMs / 1000}s`,
            }));
            const pushed = (src.pushers?.() ?? []).map((pu) => ({
              discoveredLabels: { job: pu.job, instance: pu.instance },
              labels: { job: pu.job, instance: pu.instance },
              scrapePool: 'remote_write',
              scrapeUrl: '',
              globalUrl: '',
              lastError: pu.lastError,
              lastScrape: rfc3339(pu.lastPush),
              lastScrapeDuration: 0,
              health: pu.health,
              scrapeInterval: '',
              scrapeTimeout: '',
              // Canopy's additions for pushed targets.
              push: true,
              lastPush: rfc3339(pu.lastPush),
              samplesPerSecond: pu.samplesPerSecond,
              samples: pu.samples,
              errors: pu.errors,
            }));
            return success(res, { activeTargets: [...active, ...pushed], droppedTargets: [] });
          }
          case '/api/v1/rules': {
            const type = p.get('type') ?? '';
            if (type !== '' && type !== 'alert' && type !== 'record')
              throw new BadData(`invalid parameter "type": unknown rule type "${type}"`);
            return success(res, src.rules?.rulesData(type) ?? { groups: [] });
          }
          case '/api/v1/alerts':
            return success(res, src.rules?.alertsData() ?? { alerts: [] });
          case '/api/v1/status/buildinfo':
            return success(res, {
              version: src.version,
              revision: '',
              branch: '',
              buildUser: 'canopy',
              buildDate: '',
              goVersion: `node ${process.version}`,
            });
          default: {
            const lv = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
            if (lv !== null) {
              const name = decodeURIComponent(lv[1]!);
              if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
                throw new BadData(`invalid label name: "${name}"`);
              const sets = matchersOf(p, false);
              const start = parseTime('start', p.get('start') ?? undefined, -Infinity);
              const end = parseTime('end', p.get('end') ?? undefined, Infinity);
              const vals = union(
                sets,
                () => q.labelValues(name, [], start, end),
                (m) => q.labelValues(name, m, start, end),
                (x) => x,
              );
              return success(res, vals.sort());
            }
            send(res, 404, {
              status: 'error',
              errorType: 'not_found',
              error: `unknown API endpoint ${path}`,
            });
          }
        }
      } catch (e) {
        failure(res, e);
      }
    })();
    return true;
  };
}
