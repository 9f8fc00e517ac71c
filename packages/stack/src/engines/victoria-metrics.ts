/** VictoriaMetrics single-node as a child process on loopback, scraping given targets. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EngineProcess, engineDir, freePort } from './process.js';

/** Where Debian's victoria-metrics package installs the server. */
export const VICTORIA_METRICS_BIN = '/usr/bin/victoria-metrics';

/**
 * The VictoriaMetrics flags stack B's alert timings need. VictoriaMetrics hides samples younger
 * than `-search.latencyOffset` (default 30 s) from queries near "now" — which is what vmalert
 * asks — to wait for late writers; a single node scraping for itself has none. With the
 * default, a target-down page arrives about 30 s later (measured 34–46 s against 13–23 s at a
 * 15 s scrape interval, BENCHMARKS.md) and misses the 30 s target.
 */
export const STACK_B_VICTORIA_FLAGS: readonly string[] = ['-search.latencyOffset=0s'];

/** A scrape target: its /metrics URL and the `service` label it gets (`instance` is host:port). */
export interface ScrapeTarget {
  readonly url: string;
  readonly service: string;
}

/** Options of {@link startVictoriaMetrics}. */
export interface VictoriaMetricsRunOptions {
  readonly targets?: readonly ScrapeTarget[];
  /** Scrape interval in seconds. Default 15 (the hub's and the rules' default). */
  readonly scrapeInterval?: number;
  /** Default {@link VICTORIA_METRICS_BIN}. */
  readonly bin?: string;
  /** Extra flags, e.g. `-search.latencyOffset=0s`. */
  readonly flags?: readonly string[];
}

/**
 * The Prometheus scrape config of the targets: one job per service, `service` as a target
 * label, timeout at most 10 s and never above the interval.
 *
 * @example scrapeConfig([{ url: 'http://127.0.0.1:9464/metrics', service: 'relay' }], 15)
 */
export function scrapeConfig(targets: readonly ScrapeTarget[], intervalSeconds: number): string {
  const jobs = new Map<string, ScrapeTarget[]>();
  for (const t of targets) jobs.set(t.service, [...(jobs.get(t.service) ?? []), t]);
  return stringify({
    global: {
      scrape_interval: `${intervalSeconds}s`,
      scrape_timeout: `${Math.min(10, intervalSeconds)}s`,
    },
    scrape_configs: [...jobs].map(([service, ts]) => ({
      job_name: service,
      metrics_path: new URL(ts[0]!.url).pathname,
      static_configs: ts.map((t) => ({ targets: [new URL(t.url).host], labels: { service } })),
    })),
  });
}

/**
 * Starts VictoriaMetrics on a free 127.0.0.1 port with a temp data folder, scraping the
 * targets (`-promscrape.config`), and waits until `/health` answers.
 *
 * @example const vm = await startVictoriaMetrics({ targets, scrapeInterval: 15 }); await vm.stop();
 */
export async function startVictoriaMetrics(
  o: VictoriaMetricsRunOptions = {},
): Promise<EngineProcess> {
  const port = await freePort();
  const dir = engineDir('victoria-metrics');
  const scrape = join(dir, 'scrape.yml');
  writeFileSync(scrape, scrapeConfig(o.targets ?? [], o.scrapeInterval ?? 15));
  return EngineProcess.start({
    name: 'victoria-metrics',
    bin: o.bin ?? VICTORIA_METRICS_BIN,
    args: [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir, 'data')}`,
      `-promscrape.config=${scrape}`,
      '-promscrape.config.strictParse=false',
      '-loggerLevel=WARN',
      ...(o.flags ?? []),
    ],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health',
    dirs: [dir],
  });
}
