import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '../model.js';
import { MemQuerier } from '../testing/mem-querier.js';
import { load } from '../testing/series-notation.js';
import { hasPromtool, runOracle, type OracleResult } from '../testing/promtool.js';
import { instantQuery, PromQLError } from './index.js';
import { keyOf } from './labels.js';
import { ORACLE_GROUPS } from './oracle-cases.js';

/** Our result in the oracle's shape: samples, or the error. */
function ours(q: MemQuerier, expr: string, timeMs: number): OracleResult {
  try {
    const r = instantQuery(q, expr, timeMs);
    if (r.resultType === 'scalar')
      return { ok: true, samples: [{ metric: {}, value: Number(r.result[1]) }] };
    if (r.resultType === 'vector') {
      return {
        ok: true,
        samples: r.result.map((s) => ({ metric: s.metric, value: parseValue(s.value[1]) })),
      };
    }
    return { ok: false, error: `result type ${r.resultType}` };
  } catch (e) {
    if (e instanceof PromQLError) return { ok: false, error: e.message };
    throw e;
  }
}

function parseValue(s: string): number {
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

function sameValue(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function describeSamples(s: { metric: Labels; value: number }[]): string {
  return s.map((x) => `${JSON.stringify(x.metric)} ${x.value}`).join(', ');
}

describe('instant queries agree with promtool (Prometheus 2.42)', { skip: !hasPromtool() }, () => {
  const expected = hasPromtool() ? runOracle(ORACLE_GROUPS) : [];
  ORACLE_GROUPS.forEach((g, gi) => {
    const q = new MemQuerier();
    load(q, g.series.join('\n'), g.intervalMs);
    g.queries.forEach((query, qi) => {
      it(`${query.expr} @ ${query.timeMs / 1000}s`, () => {
        const want = expected[gi]![qi]!;
        const got = ours(q, query.expr, query.timeMs);
        if (!want.ok || !got.ok) {
          assert.equal(got.ok, want.ok, `want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
          return;
        }
        const w = [...want.samples].sort((a, b) => (keyOf(a.metric) < keyOf(b.metric) ? -1 : 1));
        const o = [...got.samples].sort((a, b) => (keyOf(a.metric) < keyOf(b.metric) ? -1 : 1));
        const msg = `\nwant ${describeSamples(w)}\ngot  ${describeSamples(o)}`;
        assert.equal(o.length, w.length, msg);
        o.forEach((s, i) => {
          assert.deepEqual(s.metric, w[i]!.metric, msg);
          assert.ok(sameValue(s.value, w[i]!.value), msg);
        });
      });
    });
  });
});
