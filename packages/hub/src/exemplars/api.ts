/**
 * `GET /api/v1/query_exemplars?query=&start=&end=` in Prometheus's shape: the series chosen
 * by the selectors in `query` (a selector or any PromQL expression) with their exemplars.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadData, parseTime } from '../api/params.js';
import { replyError, replyMethodNotAllowed, replySuccess } from '../api/reply.js';
import type { Matcher } from '../model.js';
import { formatValue, parseExpr, PromQLError } from '../promql/index.js';
import type { ExemplarStore } from './exemplar-store.js';

/** The matchers of every vector selector in a parsed expression. */
function selectorsOf(node: unknown, out: Matcher[][]): Matcher[][] {
  if (typeof node !== 'object' || node === null) return out;
  if (Array.isArray(node)) {
    for (const n of node) selectorsOf(n, out);
    return out;
  }
  const o = node as Record<string, unknown>;
  if (o['kind'] === 'vector' && Array.isArray(o['matchers'])) {
    out.push(o['matchers'] as Matcher[]);
    return out;
  }
  for (const k in o) if (k !== 'pos') selectorsOf(o[k], out);
  return out;
}

/**
 * A handler for `/api/v1/query_exemplars` over `store`; returns false for other paths.
 *
 * @example createServer((req, res) => exemplarApi(store)(req, res) || notFound(res));
 */
export function exemplarApi(
  store: ExemplarStore,
  now: () => number = Date.now,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (url.pathname !== '/api/v1/query_exemplars') return false;
    if (req.method !== 'GET') {
      replyMethodNotAllowed(res, req.method ?? '', 'GET');
      return true;
    }
    try {
      const p = url.searchParams;
      const query = p.get('query') ?? '';
      if (query === '') throw new BadData('invalid parameter "query": query must not be empty');
      let sets: Matcher[][];
      try {
        sets = selectorsOf(parseExpr(query), []);
      } catch (e) {
        if (e instanceof PromQLError) throw new BadData(`invalid parameter "query": ${e.message}`);
        throw e;
      }
      const t = now();
      const start = parseTime('start', p.get('start') ?? undefined, -Infinity);
      const end = parseTime('end', p.get('end') ?? undefined, t);
      if (end < start)
        throw new BadData('invalid parameter "end": end timestamp must not be before start time');
      replySuccess(
        res,
        store.query(sets, start, end).map((s) => ({
          seriesLabels: s.seriesLabels,
          exemplars: s.exemplars.map((e) => ({
            labels: e.labels,
            value: formatValue(e.value),
            timestamp: e.timestampMs / 1000,
          })),
        })),
      );
    } catch (e) {
      replyError(res, e);
    }
    return true;
  };
}
