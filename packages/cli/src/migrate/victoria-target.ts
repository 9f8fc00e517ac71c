/**
 * The migration's side of VictoriaMetrics' HTTP API: the probe that tells a VictoriaMetrics
 * single node from anything else, `/api/v1/import` (JSON lines, gzip), `/api/v1/export`
 * (what is already stored, for verification and for resuming without duplicates) and
 * `/api/v1/query` (spot checks). Every request has a time limit.
 */
import { gzipSync } from 'node:zlib';
import { labelsKey, type Labels } from '@canopy/hub';

/** A target that can't be used; the message says which URL, why, and what to do. */
export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

/** One series as a VictoriaMetrics JSON line carries it. */
export interface ExportedSeries {
  readonly labels: Labels;
  readonly t: number[];
  readonly v: number[];
}

/** How long one request may take, ms. */
const REQUEST_TIMEOUT_MS = 120_000;

function reason(e: unknown): string {
  const c = (e as { cause?: { code?: string } }).cause?.code;
  return c ?? (e as Error).message;
}

/** A VictoriaMetrics single node at `url` (no trailing slash). */
export class VictoriaTarget {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  /**
   * Checks that the URL answers and is a VictoriaMetrics single node (its /metrics has
   * `vm_app_version`); returns its version and how long it keeps samples (`-retentionPeriod`,
   * ms; undefined when it does not say).
   */
  async probe(): Promise<{ version: string; retentionMs: number | undefined; retention: string }> {
    let text: string;
    try {
      const r = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
      text = await r.text();
      if (!r.ok)
        throw new TargetError(
          `${this.url}/metrics answered HTTP ${r.status}: --to must be the base URL of a VictoriaMetrics single node (e.g. http://127.0.0.1:8428)`,
        );
    } catch (e) {
      if (e instanceof TargetError) throw e;
      throw new TargetError(
        `cannot reach ${this.url} (${reason(e)}): is VictoriaMetrics running there? ` +
          'Start it (e.g. `victoria-metrics -storageDataPath=/var/lib/victoria-metrics`) or fix --to',
      );
    }
    const m = /^vm_app_version\{[^}]*version="([^"]*)"/m.exec(text);
    if (m === null)
      throw new TargetError(
        `${this.url} is not a VictoriaMetrics single node (its /metrics has no vm_app_version): ` +
          '--to takes the URL of victoria-metrics, the one that serves /api/v1/import (e.g. http://127.0.0.1:8428)',
      );
    const r = /^flag\{name="retentionPeriod", value="([^"]*)"/m.exec(text);
    return {
      version: m[1]!,
      retentionMs: r === null ? undefined : retentionMs(r[1]!),
      retention: r?.[1] ?? '',
    };
  }

  /** Sends JSON lines (one series each) to `/api/v1/import`, gzip-compressed. */
  async import(lines: string): Promise<void> {
    let r: Response;
    try {
      r = await fetch(`${this.url}/api/v1/import`, {
        method: 'POST',
        headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
        body: gzipSync(lines, { level: 1 }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new TargetError(
        `import into ${this.url} failed (${reason(e)}); run the same command again to resume`,
      );
    }
    const body = await r.text();
    if (!r.ok)
      throw new TargetError(
        `${this.url}/api/v1/import answered HTTP ${r.status}: ${body.trim().slice(0, 300)}`,
      );
  }

  /**
   * Makes recently imported samples visible to export and queries, and drops cached query
   * results (VictoriaMetrics caches results of past windows, which a backfill changes).
   */
  async flush(): Promise<void> {
    for (const path of ['/internal/force_flush', '/internal/resetRollupResultCache']) {
      try {
        const r = await fetch(`${this.url}${path}`, {
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await r.body?.cancel();
      } catch {
        // without it, samples become visible within a second or two anyway
      }
    }
  }

  /**
   * Every stored series matching one of the selectors in `[startMs, endMs]`, by labels key.
   * Samples of one series may come in several lines; they are concatenated.
   */
  async export(
    selectors: readonly string[],
    startMs: number,
    endMs: number,
  ): Promise<Map<string, ExportedSeries>> {
    const form = new URLSearchParams();
    for (const s of selectors) form.append('match[]', s);
    form.set('start', String(startMs / 1000));
    form.set('end', String(endMs / 1000));
    let r: Response;
    try {
      r = await fetch(`${this.url}/api/v1/export`, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new TargetError(`export from ${this.url} failed (${reason(e)})`);
    }
    const text = await r.text();
    if (!r.ok)
      throw new TargetError(
        `${this.url}/api/v1/export answered HTTP ${r.status}: ${text.trim().slice(0, 300)}`,
      );
    const out = new Map<string, ExportedSeries>();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const j = JSON.parse(line) as { metric: Labels; values: number[]; timestamps: number[] };
      const key = labelsKey(j.metric);
      const have = out.get(key);
      if (have === undefined) out.set(key, { labels: j.metric, t: j.timestamps, v: j.values });
      else {
        have.t.push(...j.timestamps);
        have.v.push(...j.values);
      }
    }
    return out;
  }

  /** An instant query; the result as `[labels key, value]` pairs. */
  async query(expr: string, timeMs: number): Promise<Map<string, number>> {
    const form = new URLSearchParams({ query: expr, time: String(timeMs / 1000) });
    let r: Response;
    try {
      r = await fetch(`${this.url}/api/v1/query`, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      throw new TargetError(`query on ${this.url} failed (${reason(e)})`);
    }
    const j = (await r.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Labels; value: [number, string] }[] };
    };
    if (j.status !== 'success' || j.data === undefined)
      throw new TargetError(`query ${expr} on ${this.url} failed: ${j.error ?? r.status}`);
    const out = new Map<string, number>();
    for (const s of j.data.result) out.set(labelsKey(s.metric), Number(s.value[1]));
    return out;
  }
}

/**
 * A series selector that matches exactly `labels` among series with the same name and label
 * names (a superset also matches; callers compare label keys).
 *
 * @example exactSelector({ __name__: 'up', job: 'relay' }) // '{__name__="up",job="relay"}'
 */
export function exactSelector(labels: Labels): string {
  const parts: string[] = [];
  for (const n of Object.keys(labels).sort()) parts.push(`${n}=${JSON.stringify(labels[n])}`);
  return `{${parts.join(',')}}`;
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
  '': 31 * 86_400_000, // a bare number is months
};

/**
 * VictoriaMetrics' `-retentionPeriod` in ms: a number with `h`, `d`, `w`, `y`, or none for
 * months; undefined when unreadable.
 *
 * @example retentionMs('1') // 2678400000 (31 days); retentionMs('100y')
 */
export function retentionMs(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([hdwy]?)$/.exec(v.trim());
  return m === null ? undefined : Number(m[1]) * UNIT_MS[m[2]!]!;
}
