/**
 * The text of one row of the targets table. A pushed target (remote_write into the hub) has
 * no scrape: its row shows the last push, its samples per second, and "remote_write" where
 * a scraped target shows its URL.
 */
import { formatAgo, formatSeconds } from '../format.js';
import type { ApiTarget } from '../api.js';

/** Cells of one row: service, instance, state, last scrape or push, duration, samples, URL, error. */
export interface TargetCells {
  readonly service: string;
  readonly instance: string;
  readonly health: string;
  /** Time of the last scrape or push (ms), undefined when never. */
  readonly last: number | undefined;
  readonly lastText: string;
  readonly duration: string;
  readonly samples: string;
  readonly url: string;
  readonly error: string;
  readonly pushed: boolean;
}

/**
 * The cells of a target's row; `scraped` maps `service|instance` to samples per scrape.
 *
 * @example targetCells({ labels: { job: 'relay', instance: 'r1' }, push: true, samplesPerSecond: 12.5, … }, new Map()).samples // '12.5/s'
 */
export function targetCells(
  t: ApiTarget,
  scraped: ReadonlyMap<string, string>,
  now = Date.now(),
): TargetCells {
  const service = t.labels.service ?? t.labels.job ?? '';
  const instance = t.labels.instance ?? '';
  const parsed = Date.parse(t.lastScrape);
  const last = Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
  const pushed = t.push === true;
  return {
    service,
    instance,
    health: t.health,
    last,
    lastText: last === undefined ? 'never' : formatAgo(last, now),
    duration: pushed ? '—' : formatSeconds(t.lastScrapeDuration),
    samples: pushed
      ? `${(t.samplesPerSecond ?? 0).toFixed(1)}/s`
      : (scraped.get(`${service}|${instance}`) ?? '—'),
    url: pushed ? 'remote_write (pushed)' : t.scrapeUrl,
    error: t.lastError,
    pushed,
  };
}
