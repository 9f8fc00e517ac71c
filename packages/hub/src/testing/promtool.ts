import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels } from '../model.js';
import { parseSeriesLabels } from './series-notation.js';

/**
 * The real PromQL engine as an oracle: instant queries evaluated by `promtool test rules`
 * (the same engine as Prometheus itself, 5 m lookback) over series in test notation.
 */

export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** Whether promtool is installed here. */
export function hasPromtool(): boolean {
  return existsSync(PROMTOOL_BIN);
}

/** A group of instant queries over one data set. */
export interface OracleGroup {
  /** `series values` lines in test notation (see series-notation.ts). */
  readonly series: readonly string[];
  /** Sample spacing, ms. */
  readonly intervalMs: number;
  readonly queries: readonly { readonly expr: string; readonly timeMs: number }[];
}

/** What promtool returned for one query. */
export type OracleResult =
  | { readonly ok: true; readonly samples: { metric: Labels; value: number }[] }
  | { readonly ok: false; readonly error: string };

function yamlString(s: string): string {
  return JSON.stringify(s);
}

function promDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Prometheus's `model.Duration.String()`: `1h5m`, `90d`, `0s`. */
export function modelDuration(ms: number): string {
  if (ms === 0) return '0s';
  let r = '';
  const f = (unit: string, mult: number, exact: boolean): void => {
    if (exact && ms % mult !== 0) return;
    const v = Math.floor(ms / mult);
    if (v > 0) {
      r += `${v}${unit}`;
      ms -= v * mult;
    }
  };
  f('y', 365 * 86_400_000, true);
  f('w', 7 * 86_400_000, true);
  f('d', 86_400_000, false);
  f('h', 3_600_000, false);
  f('m', 60_000, false);
  f('s', 1000, false);
  f('ms', 1, false);
  return r;
}

function parseGoFloatE(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  return Number(s);
}

/** Parses promtool's `got:` list: `{a="b"} 1E+00, {c="d"} 2E+00` (or `nil`). */
export function parseGot(text: string): { metric: Labels; value: number }[] {
  const out: { metric: Labels; value: number }[] = [];
  const re = /\s*(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})\s+(\S+?)(?:,|$)/gy;
  if (text.trim() === 'nil') return out;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push({ metric: parseSeriesLabels(m[1]!), value: parseGoFloatE(m[2]!) });
    if (re.lastIndex >= text.length) break;
  }
  return out;
}

/**
 * Evaluates every query of every group with promtool. Each query is expected to return
 * nothing, so promtool reports what it got (or the error) for each one that returned
 * something; queries it doesn't mention returned an empty vector.
 */
export function runOracle(groups: readonly OracleGroup[]): OracleResult[][] {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-promtool-'));
  try {
    const files: string[] = [];
    groups.forEach((g, gi) => {
      let y = 'evaluation_interval: 1m\ntests:\n';
      y += `  - interval: ${promDuration(g.intervalMs)}\n    input_series:\n`;
      for (const line of g.series) {
        const m =
          /^((?:[a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?)\s+(.*)$/.exec(
            line.trim(),
          )!;
        y += `      - series: ${yamlString(m[1]!)}\n        values: ${yamlString(m[2]!)}\n`;
      }
      y += '    promql_expr_test:\n';
      for (const q of g.queries) {
        y += `      - expr: ${yamlString(q.expr)}\n        eval_time: ${promDuration(q.timeMs)}\n        exp_samples: []\n`;
      }
      const f = join(dir, `g${gi}.yml`);
      writeFileSync(f, y);
      files.push(f);
    });
    // One run per file: promtool prints the results of several files out of order.
    const sections = files.map((f) => {
      const r = spawnSync(PROMTOOL_BIN, ['test', 'rules', f], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      return (r.stdout ?? '') + (r.stderr ?? '');
    });
    return groups.map((g, gi) => {
      const section = sections[gi]!;
      const results: OracleResult[] = g.queries.map(() => ({ ok: true, samples: [] }));
      const re =
        /^ {4}expr: ("(?:[^"\\]|\\.)*"), time: (\S+?),(?: err: (.*)|\n\s+exp: .*\n\s+got: (.*))$/gm;
      let m: RegExpExecArray | null;
      const used = new Set<number>();
      while ((m = re.exec(section)) !== null) {
        const expr = JSON.parse(m[1]!) as string;
        const time = m[2]!;
        const idx = g.queries.findIndex(
          (q, i) => !used.has(i) && q.expr === expr && modelDuration(q.timeMs) === time,
        );
        if (idx < 0) continue;
        used.add(idx);
        results[idx] =
          m[3] !== undefined ? { ok: false, error: m[3] } : { ok: true, samples: parseGot(m[4]!) };
      }
      return results;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
