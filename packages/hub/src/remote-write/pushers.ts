/**
 * Who pushes: a target-like status per `job`/`instance` seen in remote_write series (last
 * push, samples per second, last error), so pushed targets show on the targets page beside
 * scraped ones. A request refused before its series could be read counts against its
 * client's address (`job="remote_write"`).
 */

/** One pusher's state, as `/api/v1/targets` reports it. */
export interface PusherStatus {
  readonly job: string;
  readonly instance: string;
  /** 'up' when the last request was stored and came within the staleness window. */
  readonly health: 'up' | 'down';
  /** Time of the last request, ms. */
  readonly lastPush: number;
  /** Samples stored per second over the last measuring window (≥ 10 s). */
  readonly samplesPerSecond: number;
  /** Samples stored in total. */
  readonly samples: number;
  /** Requests refused in total. */
  readonly errors: number;
  /** Reason of the last refusal; '' when the last request was stored. */
  readonly lastError: string;
}

/** A pusher without a push for this long is down (5 minutes, Prometheus's staleness). */
export const PUSH_STALE_MS = 5 * 60_000;
/** Rates are measured over windows at least this long. */
const RATE_WINDOW_MS = 10_000;
/** At most this many pushers are tracked; the longest silent one is forgotten first. */
const MAX_PUSHERS = 1000;

interface Entry {
  job: string;
  instance: string;
  lastPush: number;
  samples: number;
  errors: number;
  lastError: string;
  windowStart: number;
  windowSamples: number;
  rate: number;
}

/**
 * Tracks pushers.
 *
 * @example
 * const p = new Pushers();
 * p.stored('relay', '127.0.0.1:9464', 120, Date.now());
 * p.list()[0].health; // 'up'
 */
export class Pushers {
  private readonly byKey = new Map<string, Entry>();

  /** Records `samples` stored for one job/instance at `now`. */
  stored(job: string, instance: string, samples: number, now: number): void {
    const e = this.entry(job, instance, now);
    e.lastPush = now;
    e.samples += samples;
    e.lastError = '';
    e.windowSamples += samples;
    if (now - e.windowStart >= RATE_WINDOW_MS) {
      e.rate = e.windowSamples / ((now - e.windowStart) / 1000);
      e.windowStart = now;
      e.windowSamples = 0;
    }
  }

  /** Records a refused request for one job/instance. */
  refused(job: string, instance: string, reason: string, now: number): void {
    const e = this.entry(job, instance, now);
    e.lastPush = now;
    e.errors++;
    e.lastError = reason;
  }

  /** Every pusher, sorted by job then instance. */
  list(now = Date.now()): PusherStatus[] {
    const out: PusherStatus[] = [];
    for (const e of this.byKey.values()) {
      const fresh = now - e.lastPush <= PUSH_STALE_MS;
      out.push({
        job: e.job,
        instance: e.instance,
        health: fresh && e.lastError === '' ? 'up' : 'down',
        lastPush: e.lastPush,
        samplesPerSecond: fresh ? e.rate : 0,
        samples: e.samples,
        errors: e.errors,
        lastError: e.lastError,
      });
    }
    return out.sort((a, b) =>
      a.job !== b.job ? (a.job < b.job ? -1 : 1) : a.instance < b.instance ? -1 : 1,
    );
  }

  private entry(job: string, instance: string, now: number): Entry {
    const key = `${job}\u0000${instance}`;
    let e = this.byKey.get(key);
    if (e === undefined) {
      if (this.byKey.size >= MAX_PUSHERS) this.forgetOldest();
      e = {
        job,
        instance,
        lastPush: now,
        samples: 0,
        errors: 0,
        lastError: '',
        windowStart: now,
        windowSamples: 0,
        rate: 0,
      };
      this.byKey.set(key, e);
    }
    return e;
  }

  private forgetOldest(): void {
    let oldest: string | undefined;
    let at = Infinity;
    for (const [k, e] of this.byKey) {
      if (e.lastPush < at) {
        at = e.lastPush;
        oldest = k;
      }
    }
    if (oldest !== undefined) this.byKey.delete(oldest);
  }
}
