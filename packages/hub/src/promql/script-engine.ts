import type { MemQuerier } from '../testing/mem-querier.js';
import type { ScriptResult } from '../testing/promql-script.js';
import { PromQLError } from './errors.js';
import { instantQuery } from './query.js';

/** Parses a value the way the API wrote it. */
export function parseApiValue(s: string): number {
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

/** Runs an instant query for the test-script runner (testing/promql-script.ts). */
export function scriptQuery(q: MemQuerier, expr: string, timeMs: number): ScriptResult {
  try {
    const r = instantQuery(q, expr, timeMs);
    switch (r.resultType) {
      case 'scalar':
        return { kind: 'scalar', value: parseApiValue(r.result[1]) };
      case 'vector':
        return {
          kind: 'samples',
          samples: r.result.map((s) => ({ metric: s.metric, value: parseApiValue(s.value[1]) })),
        };
      default:
        return { kind: 'error', message: `unexpected result type ${r.resultType}` };
    }
  } catch (e) {
    if (e instanceof PromQLError) return { kind: 'error', message: e.message };
    throw e;
  }
}
