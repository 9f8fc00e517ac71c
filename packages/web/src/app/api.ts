/**
 * The only way the app gets data: the Prometheus HTTP API of whatever serves the page (the
 * hub, or `canopy ui` passing it through to Prometheus/VictoriaMetrics). Every failure is an
 * {@link ApiError} whose message can be shown in place.
 */
import { combineQueries, splitByQuery } from './batch.js';

/** Labels of a series. */
export type Metric = Readonly<Record<string, string>>;
/** A range-query series: [Unix seconds, value as text] pairs. */
export interface MatrixSeries {
  readonly metric: Metric;
  readonly values: readonly (readonly [number, string])[];
}
/** An instant-query sample. */
export interface VectorSample {
  readonly metric: Metric;
  readonly value: readonly [number, string];
}
/** An instant query's result. */
export type InstantResult =
  | { readonly resultType: 'vector'; readonly result: readonly VectorSample[] }
  | { readonly resultType: 'scalar' | 'string'; readonly result: readonly [number, string] }
  | { readonly resultType: 'matrix'; readonly result: readonly MatrixSeries[] };

/** An alert of `/api/v1/alerts`. */
export interface ApiAlert {
  readonly labels: Metric;
  readonly annotations: Metric;
  readonly state: 'firing' | 'pending' | 'inactive';
  readonly activeAt?: string;
  readonly value?: string;
}

/** A rule of `/api/v1/rules`. */
export interface ApiRule {
  readonly type: 'alerting' | 'recording';
  readonly name: string;
  readonly query: string;
  readonly duration?: number;
  readonly labels?: Metric;
  readonly health?: string;
  readonly lastError?: string;
}

/** A scrape target of `/api/v1/targets`. */
export interface ApiTarget {
  readonly labels: Metric;
  readonly scrapeUrl: string;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastScrape: string;
  readonly lastScrapeDuration: number;
  readonly lastError: string;
  readonly scrapeInterval?: string;
  /** Set by the Canopy hub on targets that push with remote_write instead of being scraped. */
  readonly push?: boolean;
  /** A pushed target's stored samples per second. */
  readonly samplesPerSecond?: number;
}

/** Why a request failed: the query was wrong, or the backend is down, slow or odd. */
export type ApiErrorKind = 'query' | 'unreachable' | 'timeout' | 'http';

/** A failed API request, with a message for people. */
export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Options of {@link PromApi}. */
export interface PromApiOptions {
  /** Longest wait per request, ms. Default 15 000. */
  readonly timeoutMs?: number;
  /** Called after every request: whether the backend answered at all. */
  readonly onReachable?: (reachable: boolean, error?: ApiError) => void;
}

interface Envelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

/**
 * A client of the Prometheus HTTP API at the page's origin.
 *
 * @example const r = await new PromApi().query('up'); r.resultType // 'vector'
 */
export class PromApi {
  private readonly timeoutMs: number;
  constructor(private readonly o: PromApiOptions = {}) {
    this.timeoutMs = o.timeoutMs ?? 15_000;
  }

  /** GET (or POST for long queries) `/api/v1/<path>`; resolves to `data`. */
  async get<T>(
    path: string,
    params: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<T> {
    const body = new URLSearchParams(params).toString();
    const post = body.length > 1500;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.timeoutMs);
    const onAbort = () => ctl.abort();
    signal?.addEventListener('abort', onAbort);
    let res: Response;
    try {
      res = await fetch(`/api/v1/${path}${post || body === '' ? '' : `?${body}`}`, {
        method: post ? 'POST' : 'GET',
        ...(post ? { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
        signal: ctl.signal,
      });
    } catch (e) {
      const err =
        signal?.aborted === true
          ? new ApiError('timeout', 'cancelled')
          : ctl.signal.aborted
            ? new ApiError(
                'timeout',
                `the backend did not answer within ${this.timeoutMs / 1000} s`,
              )
            : new ApiError('unreachable', `cannot reach the backend (${(e as Error).message})`);
      if (signal?.aborted !== true) this.o.onReachable?.(false, err);
      throw err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    let env: Envelope<T> | undefined;
    try {
      env = (await res.json()) as Envelope<T>;
    } catch {
      env = undefined;
    }
    if (env?.status === 'success' && env.data !== undefined) {
      this.o.onReachable?.(true);
      return env.data;
    }
    if (env?.status === 'error') {
      // 502/504 from `canopy ui`'s pass-through: the backend itself is down or slow.
      if (res.status === 502 || res.status === 504 || env.errorType === 'unavailable') {
        const err = new ApiError(res.status === 504 ? 'timeout' : 'unreachable', env.error ?? '');
        this.o.onReachable?.(false, err);
        throw err;
      }
      this.o.onReachable?.(true);
      throw new ApiError(
        env.errorType === 'bad_data' || env.errorType === 'execution' ? 'query' : 'http',
        `${env.errorType ?? 'error'}: ${env.error ?? `HTTP ${res.status}`}`,
      );
    }
    const err = new ApiError('http', `unexpected answer from the backend: HTTP ${res.status}`);
    this.o.onReachable?.(res.status < 500, err);
    throw err;
  }

  /** An instant query at `time` (Unix seconds; default now). */
  query(expr: string, time?: number, signal?: AbortSignal): Promise<InstantResult> {
    return this.get<InstantResult>(
      'query',
      { query: expr, ...(time !== undefined ? { time: String(time) } : {}) },
      signal,
    );
  }

  /** A range query; resolves to its series. */
  async queryRange(
    expr: string,
    start: number,
    end: number,
    step: number,
    signal?: AbortSignal,
  ): Promise<readonly MatrixSeries[]> {
    const d = await this.get<{ resultType: string; result: MatrixSeries[] }>(
      'query_range',
      { query: expr, start: String(start), end: String(end), step: String(step) },
      signal,
    );
    return d.result;
  }

  /**
   * Several range queries in one request (see batch.ts); per expression, its series or its
   * error. When the combined query is refused, each is asked alone, so one bad expression
   * fails only itself.
   */
  async queryRangeBatch(
    exprs: readonly string[],
    start: number,
    end: number,
    step: number,
    signal?: AbortSignal,
  ): Promise<PromiseSettledResult<readonly MatrixSeries[]>[]> {
    if (exprs.length < 2)
      return Promise.allSettled(exprs.map((e) => this.queryRange(e, start, end, step, signal)));
    try {
      const all = await this.queryRange(combineQueries(exprs), start, end, step, signal);
      return splitByQuery(all, exprs.length).map((value) => ({ status: 'fulfilled', value }));
    } catch (e) {
      if (!(e instanceof ApiError) || e.kind !== 'query')
        return exprs.map(() => ({ status: 'rejected', reason: e }));
      return Promise.allSettled(exprs.map((x) => this.queryRange(x, start, end, step, signal)));
    }
  }

  /** Several instant queries in one request, as {@link queryRangeBatch}. */
  async queryBatch(
    exprs: readonly string[],
    time?: number,
    signal?: AbortSignal,
  ): Promise<PromiseSettledResult<readonly VectorSample[]>[]> {
    const one = async (e: string) => samples(await this.query(e, time, signal));
    if (exprs.length < 2) return Promise.allSettled(exprs.map(one));
    try {
      const all = await one(combineQueries(exprs));
      return splitByQuery(all, exprs.length).map((value) => ({ status: 'fulfilled', value }));
    } catch (e) {
      if (!(e instanceof ApiError) || e.kind !== 'query')
        return exprs.map(() => ({ status: 'rejected', reason: e }));
      return Promise.allSettled(exprs.map(one));
    }
  }

  /** Active alerts (firing and pending). */
  async alerts(signal?: AbortSignal): Promise<readonly ApiAlert[]> {
    return (await this.get<{ alerts: ApiAlert[] }>('alerts', {}, signal)).alerts;
  }

  /** Alerting rules, flattened over groups. */
  async alertRules(signal?: AbortSignal): Promise<readonly ApiRule[]> {
    const d = await this.get<{ groups: { rules: ApiRule[] }[] }>(
      'rules',
      { type: 'alert' },
      signal,
    );
    return d.groups.flatMap((g) => g.rules);
  }

  /** Active scrape targets. */
  async targets(signal?: AbortSignal): Promise<readonly ApiTarget[]> {
    return (await this.get<{ activeTargets: ApiTarget[] }>('targets', {}, signal)).activeTargets;
  }
}

/**
 * The samples of an instant query as a list (a scalar becomes one sample without labels).
 *
 * @example samples({ resultType: 'scalar', result: [0, '1'] }) // [{ metric: {}, value: [0, '1'] }]
 */
export function samples(r: InstantResult): readonly VectorSample[] {
  if (r.resultType === 'vector') return r.result;
  if (r.resultType === 'scalar') return [{ metric: {}, value: r.result }];
  return [];
}
