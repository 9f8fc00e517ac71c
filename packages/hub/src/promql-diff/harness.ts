/**
 * Runs the differential test: the same cases against Prometheus (HTTP API) and against an
 * engine (a function pair), compared by compare.ts, summarised by feature.
 */
import { isStale } from '../model.js';
import { MemQuerier } from '../testing/mem-querier.js';
import { compareOutcomes, formatOutcome, type Outcome } from './compare.js';
import type { Dataset } from './generate.js';
import type { PrometheusServer } from './prometheus.js';
import type { QueryCase } from './queries.js';

/** The engine under test, with errors already turned into outcomes. */
export interface EngineUnderTest {
  instant(expr: string, timeMs: number): Outcome;
  range(expr: string, startMs: number, endMs: number, stepMs: number): Outcome;
}

/** Loads the dataset into a fresh MemQuerier and checks that staleness markers survived. */
export function loadMem(ds: Dataset): MemQuerier {
  const q = new MemQuerier();
  for (const s of ds.series) for (let i = 0; i < s.t.length; i++) q.add(s.labels, s.t[i]!, s.v[i]!);
  let stale = 0;
  for (const s of q.select([{ name: '__name__', type: '=~', value: '.+' }], -Infinity, Infinity)) {
    for (const v of s.v) if (isStale(v)) stale++;
  }
  if (stale !== ds.staleMarkers) {
    throw new Error(`MemQuerier kept ${stale} of ${ds.staleMarkers} staleness markers`);
  }
  return q;
}

export interface CaseResult {
  readonly c: QueryCase;
  readonly prom: Outcome;
  readonly engine: Outcome;
  readonly diffs: string[];
  readonly formatNotes: string[];
  /** Engine time, ms. */
  readonly engineMs: number;
  /** Harness problem: Prometheus did not give the error the case expects. */
  readonly harnessError?: string;
}

/** Runs every case on both sides (Prometheus with a few requests in flight). */
export async function runCases(
  prom: PrometheusServer,
  engine: EngineUnderTest,
  cases: readonly QueryCase[],
): Promise<CaseResult[]> {
  // Each worker sends a query to Prometheus and, while Prometheus works on it, runs the
  // same query on the (synchronous) engine; the two costs overlap.
  const done: { p: Outcome; out: Outcome; engineMs: number }[] = new Array(cases.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const k = next++;
      const c = cases[k]!;
      const e = c.eval;
      const pending =
        e.kind === 'instant'
          ? prom.instant(c.expr, e.timeMs)
          : prom.range(c.expr, e.startMs, e.endMs, e.stepMs);
      // Let the request leave before the engine blocks the event loop.
      await new Promise((r) => setImmediate(r));
      const t0 = performance.now();
      const out =
        e.kind === 'instant'
          ? engine.instant(c.expr, e.timeMs)
          : engine.range(c.expr, e.startMs, e.endMs, e.stepMs);
      const engineMs = performance.now() - t0;
      done[k] = { p: await pending, out, engineMs };
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);

  return cases.map((c, k) => {
    const { p, out, engineMs } = done[k]!;
    const cmp = compareOutcomes(p, out, { ordered: c.ordered });
    let harnessError: string | undefined;
    if (c.expectError !== undefined && (p.ok || p.errorType !== c.expectError)) {
      harnessError = `case expects ${c.expectError}, Prometheus gave ${formatOutcome(p, 300)}`;
    } else if (c.expectError === undefined && c.anyOutcome !== true && !p.ok) {
      harnessError = `Prometheus failed a case that expects data: ${formatOutcome(p, 300)}`;
    }
    return {
      c,
      prom: p,
      engine: out,
      diffs: cmp.diffs,
      formatNotes: cmp.formatNotes,
      engineMs,
      ...(harnessError !== undefined ? { harnessError } : {}),
    };
  });
}

function evalText(c: QueryCase): string {
  const e = c.eval;
  return e.kind === 'instant'
    ? `instant query at ${e.timeMs} ms (${(e.timeMs / 1000).toFixed(3)}) [${e.label}]`
    : `range query ${e.startMs}..${e.endMs} ms step ${e.stepMs} ms [${e.label}]`;
}

/** A full mismatch report for one case. */
export function mismatchReport(r: CaseResult, seed: number, maxChars = 1500): string {
  return [
    `✗ [${r.c.feature}] ${r.c.expr}`,
    `  ${evalText(r.c)}   seed=${seed}`,
    ...r.diffs.map((d) => `  - ${d}`),
    `  prometheus: ${formatOutcome(r.prom, maxChars).replace(/\n/g, '\n  ')}`,
    `  engine:     ${formatOutcome(r.engine, maxChars).replace(/\n/g, '\n  ')}`,
  ].join('\n');
}

/** Pass/fail counts per feature, one line each. */
export function featureSummary(results: readonly CaseResult[]): string {
  const by = new Map<string, { pass: number; fail: number }>();
  for (const r of results) {
    let f = by.get(r.c.feature);
    if (f === undefined) by.set(r.c.feature, (f = { pass: 0, fail: 0 }));
    if (r.diffs.length === 0) f.pass++;
    else f.fail++;
  }
  const lines = [...by].map(
    ([name, f]) =>
      `${f.fail === 0 ? 'ok  ' : 'FAIL'} ${name.padEnd(20)} ${String(f.pass).padStart(3)} pass ${String(f.fail).padStart(3)} fail`,
  );
  const pass = results.filter((r) => r.diffs.length === 0).length;
  lines.push(`total: ${pass} / ${results.length} pass`);
  return lines.join('\n');
}
