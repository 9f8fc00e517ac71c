import type { Labels } from '../model.js';
import { MemQuerier } from './mem-querier.js';
import { expandValues, load, parseSeriesLabels } from './series-notation.js';

/**
 * A runner for Prometheus's PromQL test-script format (promql/testdata/*.test):
 *
 *     load 5m
 *       http_requests{job="api"} 0+10x10
 *     eval instant at 50m rate(http_requests[10m])
 *       {job="api"} 0.0333…
 *     eval_fail instant at 0m foo + on(x) bar
 *     clear
 *
 * The engine under test is passed in, so the runner knows nothing about it.
 */

/** What an engine returned for an instant query, in the runner's terms. */
export type ScriptResult =
  | {
      readonly kind: 'samples';
      readonly samples: readonly { metric: Labels; value: number }[];
      readonly ordered?: boolean;
    }
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'error'; readonly message: string };

/** One failed expectation. */
export interface ScriptFailure {
  readonly line: number;
  readonly command: string;
  readonly message: string;
}

function parseDurationMs(s: string): number {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(s);
  if (m === null || s === '') throw new Error(`bad duration ${JSON.stringify(s)}`);
  return (
    (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000 +
    Number(m[4] ?? 0)
  );
}

function labelsKey(l: Labels): string {
  return Object.keys(l)
    .sort()
    .map((k) => `${k}=${JSON.stringify(l[k])}`)
    .join(',');
}

function almostEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || diff < Number.MIN_VALUE) return diff < 1e-6 * Number.MIN_VALUE;
  return diff / (Math.abs(a) + Math.abs(b)) < 1e-6;
}

/**
 * Runs a script; `query(q, expr, timeMs)` evaluates an instant query. Returns the failures
 * (empty when every expectation held) and the number of evaluations.
 */
export function runScript(
  script: string,
  query: (q: MemQuerier, expr: string, timeMs: number) => ScriptResult,
): { failures: ScriptFailure[]; evals: number } {
  const lines = script.split('\n');
  let q = new MemQuerier();
  const failures: ScriptFailure[] = [];
  let evals = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === 'clear') {
      q = new MemQuerier();
      continue;
    }
    const block: string[] = [];
    while (
      i + 1 < lines.length &&
      /^\s+\S/.test(lines[i + 1]!) &&
      !lines[i + 1]!.trim().startsWith('#')
    ) {
      block.push(lines[++i]!.trim());
    }
    const loadCmd = /^load\s+(\S+)$/.exec(line);
    if (loadCmd !== null) {
      load(q, block.join('\n'), parseDurationMs(loadCmd[1]!));
      continue;
    }
    const evalCmd = /^(eval|eval_fail|eval_ordered)\s+instant\s+at\s+(\S+)\s+(.*)$/.exec(line);
    if (evalCmd === null) throw new Error(`line ${i + 1}: unknown command ${JSON.stringify(line)}`);
    evals++;
    const [, kind, at, expr] = evalCmd as unknown as [string, string, string, string];
    const fail = (message: string): void => {
      failures.push({ line: i + 1, command: line, message });
    };
    const got = query(q, expr, parseDurationMs(at));
    if (kind === 'eval_fail') {
      if (got.kind !== 'error') fail('expected an error');
      continue;
    }
    if (got.kind === 'error') {
      fail(`unexpected error: ${got.message}`);
      continue;
    }
    if (got.kind === 'scalar') {
      const want =
        block.length === 1 && !block[0]!.includes('{') ? Number(expandValues(block[0]!)[0]) : NaN;
      if (block.length !== 1 || !almostEqual(got.value, want))
        fail(`got scalar ${got.value}, want ${block.join(' | ')}`);
      continue;
    }
    const want = block.map((b) => {
      const m = /^(.*\S)\s+(\S+)$/.exec(b)!;
      return { metric: parseSeriesLabels(m[1]!), value: Number(expandValues(m[2]!)[0]) };
    });
    const gotSamples = got.samples;
    if (gotSamples.length !== want.length) {
      fail(`got ${gotSamples.length} samples, want ${want.length}: ${JSON.stringify(gotSamples)}`);
      continue;
    }
    if (kind === 'eval_ordered') {
      want.forEach((w, k) => {
        const g = gotSamples[k]!;
        if (labelsKey(g.metric) !== labelsKey(w.metric) || !almostEqual(g.value, w.value)) {
          fail(
            `position ${k}: got ${labelsKey(g.metric)} ${g.value}, want ${labelsKey(w.metric)} ${w.value}`,
          );
        }
      });
      continue;
    }
    const byKey = new Map(gotSamples.map((s) => [labelsKey(s.metric), s.value]));
    for (const w of want) {
      const v = byKey.get(labelsKey(w.metric));
      if (v === undefined)
        fail(`missing ${labelsKey(w.metric)} (got ${[...byKey.keys()].join(' | ')})`);
      else if (!almostEqual(v, w.value)) fail(`${labelsKey(w.metric)}: got ${v}, want ${w.value}`);
    }
  }
  return { failures, evals };
}
