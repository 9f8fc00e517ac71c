/**
 * The scraper: one independent loop per target (see target-loop.ts), each on its own timer
 * with a deterministic offset, writing through an {@link Appender}.
 */

import http from 'node:http';
import https from 'node:https';
import type { Appender, Labels } from '../model.js';
import type { ScrapeConfig } from './config.js';
import type { MetricMetadata, ParsedExemplar } from './parse.js';
import {
  TargetLoop,
  type LoopContext,
  type LoopTarget,
  type ScrapeSource,
  type TargetStatus,
} from './target-loop.js';

/** An in-process target (see {@link ScrapeSource}), e.g. the host collector. */
export interface SourceTarget {
  readonly service: string;
  readonly instance: string;
  readonly source: ScrapeSource;
  /** Shown on the targets page. Default `builtin:<service>`. */
  readonly url?: string;
  /** ms; default the config's interval. */
  readonly interval?: number;
  /** ms; default the config's timeout (at most the interval). */
  readonly timeout?: number;
  /** Default the config's sample_limit. */
  readonly sampleLimit?: number;
}

/** Options of {@link Scraper}. */
export interface ScraperOptions {
  /** Clock for sample timestamps (ms). Default `Date.now`. Timers always use real time. */
  readonly now?: () => number;
  /** In-process targets scraped besides the configured ones. */
  readonly sources?: readonly SourceTarget[];
  /**
   * Receives, after each successful scrape, the metadata (type/help/unit) of the target's
   * families by family name.
   */
  readonly metadata?: (target: Labels, metadata: ReadonlyMap<string, MetricMetadata>) => void;
  /** Called after every scrape with the target's new status. */
  readonly onScrape?: (status: TargetStatus) => void;
  /**
   * Receives the OpenMetrics exemplars of each successful scrape that had any, with the
   * target's labels and the scrape time (ms).
   */
  readonly exemplars?: (target: Labels, exemplars: readonly ParsedExemplar[], t: number) => void;
}

/** FNV-1a, 32 bits: a stable hash for scrape offsets. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Scrapes every configured target (and in-process sources) into an appender.
 *
 * `appender` is one {@link Appender} shared by all scrapes, or a factory called once per
 * scrape; either way `commit()` is called once per scrape. Per scrape it writes the
 * target's samples with `service` and `instance` labels, `up`, `scrape_duration_seconds`,
 * `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling` and
 * `scrape_series_added`, and staleness markers as Prometheus does.
 *
 * @example
 * const scraper = new Scraper(tsdb, parseScrapeConfig(yaml.scrape), { sources: [hostTarget()] });
 * scraper.start();
 * // … scraper.targets() for the targets page …
 * await scraper.stop();
 */
export class Scraper {
  private readonly loops: TargetLoop[] = [];
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  private started = false;

  constructor(
    appender: Appender | (() => Appender),
    config: ScrapeConfig,
    options: ScraperOptions = {},
  ) {
    const ctx: LoopContext = {
      appender: typeof appender === 'function' ? appender : () => appender,
      now: options.now ?? Date.now,
      limits: {
        labelLimit: config.label_limit,
        labelNameLengthLimit: config.label_name_length_limit,
        labelValueLengthLimit: config.label_value_length_limit,
      },
      bodyLimit: config.body_size_limit,
      agents: this.agents,
      metadata: options.metadata,
      onScrape: options.onScrape,
      exemplars: options.exemplars,
    };
    const targets: LoopTarget[] = config.targets.map((t) => ({
      service: t.service,
      instance: t.instance,
      url: t.url,
      interval: t.interval,
      timeout: t.timeout,
      sampleLimit: t.sample_limit,
      bearerTokenFile: t.bearer_token_file,
    }));
    for (const s of options.sources ?? []) {
      const interval = s.interval ?? config.interval;
      targets.push({
        service: s.service,
        instance: s.instance,
        url: s.url ?? `builtin:${s.service}`,
        interval,
        timeout: Math.min(s.timeout ?? config.timeout, interval),
        sampleLimit: s.sampleLimit ?? config.sample_limit,
        source: s.source,
      });
    }
    const seen = new Set<string>();
    for (const t of targets) {
      const id = JSON.stringify([t.service, t.instance]);
      if (seen.has(id))
        throw new Error(
          `two targets have service="${t.service}" and instance="${t.instance}": their series would collide`,
        );
      seen.add(id);
      this.loops.push(new TargetLoop(t, ctx));
    }
  }

  /**
   * Starts every target's timer. A target scrapes at a fixed phase of its interval derived
   * from its labels and URL, so targets are spread over the interval and keep their phase
   * across restarts. Calling it again does nothing; a stopped scraper does not restart.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const loop of this.loops) {
      const s = loop.status();
      loop.start(fnv1a(`${s.service}\u0000${s.instance}\u0000${s.url}`) % s.interval);
    }
  }

  /**
   * Stops all timers, aborts scrapes in flight and resolves when no scrape runs any more
   * (nothing is appended after that). Staleness markers are not written: stopping is a
   * shutdown, not the targets going away.
   */
  async stop(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Scrapes every target once now (independently of the timers); resolves when all are done. */
  async scrapeNow(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.scrapeNow()));
  }

  /** Status of every target, in configuration order (in-process sources last). */
  targets(): TargetStatus[] {
    return this.loops.map((l) => l.status());
  }
}
