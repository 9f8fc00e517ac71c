/**
 * The scrape loop of one target: its timer, one scrape (fetch → parse → limits → append →
 * report → commit) and its status. A scrape never throws and never overlaps the previous
 * scrape of the same target; scrapes of different targets are independent.
 */

import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import type https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Appender, Labels } from '../model.js';
import { fetchBody, ScrapeError } from './fetch-body.js';
import type { LabelLimits } from './limits.js';
import {
  parseExposition,
  type Exposition,
  type MetricMetadata,
  type ParsedExemplar,
} from './parse.js';
import { TargetSeries, type SeriesRef } from './target-series.js';
import { formatBytes, formatDuration } from './units.js';

/**
 * A target scraped in-process rather than over HTTP (e.g. the built-in host collector). Its
 * body goes through the same parser, limits and staleness handling as an HTTP body.
 */
export interface ScrapeSource {
  /** Renders the exposition; `signal` aborts when the scrape times out or the scraper stops. */
  collect(signal: AbortSignal): string | Promise<string>;
  /** Content-Type of what `collect` returns. Default: the text format 0.0.4. */
  readonly contentType?: string;
}

/** Health of a target after its last scrape. */
export type TargetHealth = 'up' | 'down' | 'unknown';

/** What the targets page shows about one target. */
export interface TargetStatus {
  readonly service: string;
  readonly instance: string;
  /** The URL scraped (or a descriptive URL such as `builtin:host` for an in-process source). */
  readonly url: string;
  /** Target labels: `service` and `instance`. */
  readonly labels: Labels;
  /** `unknown` until the first scrape ends. */
  readonly health: TargetHealth;
  /** Start of the last scrape, ms since the epoch; 0 before the first. */
  readonly lastScrape: number;
  readonly lastScrapeDurationSeconds: number;
  /** Why the last scrape failed; '' when it succeeded. */
  readonly lastError: string;
  /** Samples in the last body. */
  readonly samples: number;
  /** Series in the last scrape that were not in the one before. */
  readonly seriesAdded: number;
  /** Scrape interval, ms. */
  readonly interval: number;
  /** Scrape timeout, ms. */
  readonly timeout: number;
}

/** Everything a loop needs to know about its target. */
export interface LoopTarget {
  readonly service: string;
  readonly instance: string;
  readonly url: string;
  readonly interval: number;
  readonly timeout: number;
  readonly sampleLimit: number;
  readonly bearerTokenFile?: string | undefined;
  readonly source?: ScrapeSource | undefined;
}

/** What the loops of one scraper share. */
export interface LoopContext {
  readonly appender: () => Appender;
  readonly now: () => number;
  readonly limits: LabelLimits;
  readonly bodyLimit: number;
  readonly agents: { readonly http: http.Agent; readonly https: https.Agent };
  readonly metadata:
    ((target: Labels, metadata: ReadonlyMap<string, MetricMetadata>) => void) | undefined;
  readonly onScrape: ((status: TargetStatus) => void) | undefined;
  /** Receives the exemplars of each successful scrape that had any (scrape time `t`, ms). */
  readonly exemplars?:
    ((target: Labels, exemplars: readonly ParsedExemplar[], t: number) => void) | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One target's loop; see the file comment. */
export class TargetLoop {
  private readonly labels: Labels;
  private readonly series: TargetSeries;
  private readonly report: Record<string, Labels>;
  private readonly controller = new AbortController();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private stopped = false;
  private state: TargetStatus;

  constructor(
    private readonly target: LoopTarget,
    private readonly ctx: LoopContext,
  ) {
    this.labels = { service: target.service, instance: target.instance };
    this.series = new TargetSeries(this.labels, ctx.limits);
    this.report = {};
    for (const name of [
      'up',
      'scrape_duration_seconds',
      'scrape_samples_scraped',
      'scrape_samples_post_metric_relabeling',
      'scrape_series_added',
    ])
      this.report[name] = { __name__: name, ...this.labels };
    this.state = {
      service: target.service,
      instance: target.instance,
      url: target.url,
      labels: this.labels,
      health: 'unknown',
      lastScrape: 0,
      lastScrapeDurationSeconds: 0,
      lastError: '',
      samples: 0,
      seriesAdded: 0,
      interval: target.interval,
      timeout: target.timeout,
    };
  }

  /** The target's status after its last scrape. */
  status(): TargetStatus {
    return this.state;
  }

  /**
   * Starts the timer: scrapes happen at wall-clock times ≡ `offset` (mod interval), so
   * targets with different offsets are spread over the interval, as in Prometheus.
   */
  start(offset: number): void {
    if (this.stopped || this.timer !== undefined) return;
    const interval = this.target.interval;
    const now = Date.now();
    this.next = now - (now % interval) + offset;
    if (this.next <= now) this.next += interval;
    this.arm();
  }

  /** Stops the timer, aborts a scrape in flight and resolves once none runs any more. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.controller.abort();
    return this.chain;
  }

  /** Scrapes now, after any scrape in progress; resolves when done. */
  scrapeNow(): Promise<void> {
    this.pending++;
    this.chain = this.chain
      .then(() => this.scrape())
      .catch(() => undefined)
      .finally(() => {
        this.pending--;
      });
    return this.chain;
  }

  private arm(): void {
    // setTimeout takes at most 2^31-1 ms (24.8 days); a longer wait is re-armed in tick().
    const delay = Math.min(Math.max(0, this.next - Date.now()), 0x7fffffff);
    this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.next - Date.now() > 1) {
      this.arm();
      return;
    }
    // A scrape still running (it cannot outlive its timeout, ≤ interval, except for
    // parsing) makes this slot be skipped rather than queued.
    if (this.pending === 0) void this.scrapeNow();
    const interval = this.target.interval;
    this.next += interval;
    const now = Date.now();
    // After the event loop was blocked for a while, skip the missed slots.
    if (this.next <= now) this.next += Math.ceil((now - this.next + 1) / interval) * interval;
    this.arm();
  }

  /** Fetches the body (HTTP or in-process), enforcing the timeout and body limit. */
  private async fetch(): Promise<{ text: string; contentType: string | undefined }> {
    const { source, timeout } = this.target;
    const bodyLimit = this.ctx.bodyLimit;
    if (source !== undefined) {
      const ac = new AbortController();
      const onStop = (): void => ac.abort();
      this.controller.signal.addEventListener('abort', onStop, { once: true });
      let timer: NodeJS.Timeout | undefined;
      try {
        const text = await Promise.race([
          Promise.resolve().then(() => source.collect(ac.signal)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              ac.abort();
              reject(new ScrapeError(`timeout: no answer within ${formatDuration(timeout)}`));
            }, timeout);
          }),
        ]);
        if (bodyLimit > 0 && text.length > bodyLimit / 3 && Buffer.byteLength(text) > bodyLimit)
          throw new ScrapeError(`body exceeds ${formatBytes(bodyLimit)}`);
        return { text, contentType: source.contentType };
      } finally {
        clearTimeout(timer);
        this.controller.signal.removeEventListener('abort', onStop);
      }
    }
    const headers: Record<string, string> = {};
    const file = this.target.bearerTokenFile;
    if (file !== undefined) {
      let token: string;
      try {
        token = (await readFile(file, 'utf8')).trim();
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new ScrapeError(`cannot read bearer_token_file ${file}: ${code ?? messageOf(e)}`);
      }
      headers['Authorization'] = `Bearer ${token}`;
    }
    const { body, contentType } = await fetchBody(new URL(this.target.url), {
      timeoutMs: timeout,
      bodyLimit,
      headers,
      signal: this.controller.signal,
      agents: this.ctx.agents,
    });
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      throw new ScrapeError('body is not valid UTF-8');
    }
    return { text, contentType };
  }

  private async scrape(): Promise<void> {
    if (this.stopped) return;
    const ctx = this.ctx;
    const t = ctx.now();
    const t0 = performance.now();
    let duration = 0;
    let error: string | undefined;
    let exposition: Exposition | undefined;
    let refs: SeriesRef[] | undefined;
    let scraped = 0;
    let seriesAdded = 0;
    try {
      const { text, contentType } = await this.fetch();
      duration = (performance.now() - t0) / 1000;
      if (this.stopped) return;
      // Duplicates are found by TargetSeries, which looks every key up anyway.
      exposition = parseExposition(text, contentType, {
        duplicates: false,
        exemplars: ctx.exemplars !== undefined,
      });
      scraped = exposition.samples.length;
      const limit = this.target.sampleLimit;
      if (limit > 0 && scraped > limit)
        throw new ScrapeError(`sample_limit exceeded (${scraped} > ${limit})`);
      refs = this.series.prepare(exposition.samples);
    } catch (e) {
      if (duration === 0) duration = (performance.now() - t0) / 1000;
      error = messageOf(e);
    }
    // Shutting down is not the target going away: write nothing (as Prometheus on exit).
    if (this.stopped) return;
    // From here to commit() everything is synchronous, so targets can share one appender.
    try {
      const app = ctx.appender();
      if (error === undefined) {
        seriesAdded = this.series.append(app, exposition!.samples, refs!, t).seriesAdded;
      } else {
        this.series.fail(app, t);
      }
      const r = this.report;
      app.append(r['up']!, t, error === undefined ? 1 : 0);
      app.append(r['scrape_duration_seconds']!, t, duration);
      app.append(r['scrape_samples_scraped']!, t, scraped);
      app.append(r['scrape_samples_post_metric_relabeling']!, t, scraped);
      app.append(r['scrape_series_added']!, t, seriesAdded);
      app.commit();
    } catch (e) {
      error ??= `storing samples failed: ${messageOf(e)}`;
      this.series.forget();
    }
    this.state = {
      ...this.state,
      health: error === undefined ? 'up' : 'down',
      lastScrape: t,
      lastScrapeDurationSeconds: duration,
      lastError: error ?? '',
      samples: scraped,
      seriesAdded,
    };
    if (
      error === undefined &&
      exposition !== undefined &&
      exposition.exemplars.length > 0 &&
      ctx.exemplars !== undefined
    ) {
      try {
        ctx.exemplars(this.labels, exposition.exemplars, t);
      } catch {
        // a listener's failure is not the target's
      }
    }
    if (error === undefined && exposition !== undefined && ctx.metadata !== undefined) {
      try {
        ctx.metadata(this.labels, exposition.metadata);
      } catch {
        // a listener's failure is not the target's
      }
    }
    if (ctx.onScrape !== undefined) {
      try {
        ctx.onScrape(this.state);
      } catch {
        // a listener's failure is not the target's
      }
    }
  }
}
