/**
 * HTTP delivery of one chat payload: POST JSON, honour 429 `retry_after`, retry 5xx and
 * timeouts with exponential backoff, give up on other 4xx.
 * @module
 */
import { type NotifyLogger, silentLogger } from './logger.js';
import type { WebhookUrl } from './secret.js';
import { truncate } from './truncate.js';

/** Which receiver's conventions to follow (`webhook`: Alertmanager's webhook JSON). */
export type ChatKind = 'discord' | 'slack' | 'webhook';

/** Tuning for {@link deliver}; every field has a default. */
export interface DeliveryOptions {
  /** Total attempts including 429s (default 5). */
  maxAttempts?: number;
  /** First backoff delay (default 500 ms), doubled per attempt. */
  baseDelayMs?: number;
  /** Backoff ceiling (default 30 s). */
  maxDelayMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** A `retry_after` above this gives up instead of waiting (default 5 min). */
  maxRetryAfterMs?: number;
  /** Sleep function (tests may fake it). */
  sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for jitter (default Math.random). */
  random?: () => number;
  logger?: NotifyLogger;
  /** A label for log lines, e.g. the receiver name. */
  label?: string;
}

/** The outcome of a delivery; `reason` is always free of the webhook URL. */
export type DeliveryResult =
  | { ok: true; attempts: number; status: number }
  | { ok: false; attempts: number; status?: number; permanent: boolean; reason: string };

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Backoff before retry number `attempt` (1-based): base·2^(attempt-1), capped, equal jitter. */
export function backoffMs(
  attempt: number,
  base: number,
  max: number,
  random: () => number,
): number {
  const d = Math.min(max, base * 2 ** (attempt - 1));
  return d / 2 + (random() * d) / 2;
}

/**
 * Reads the wait a 429 asks for, in ms: Discord's JSON `retry_after` (seconds, float) first,
 * then the `Retry-After` header (seconds); undefined when neither parses.
 */
export function retryAfterMs(
  kind: ChatKind,
  body: string,
  header: string | null,
): number | undefined {
  if (kind === 'discord') {
    try {
      const j = JSON.parse(body) as { retry_after?: unknown };
      if (typeof j.retry_after === 'number' && Number.isFinite(j.retry_after) && j.retry_after >= 0)
        return j.retry_after * 1000;
    } catch {
      // not JSON: fall back to the header
    }
  }
  if (header !== null) {
    const s = Number(header.trim());
    if (Number.isFinite(s) && s >= 0) return s * 1000;
    const t = Date.parse(header);
    if (!Number.isNaN(t)) return Math.max(0, t - Date.now());
  }
  return undefined;
}

/** POSTs `payload` as JSON to `url`, retrying as the module describes. */
export async function deliver(
  kind: ChatKind,
  url: WebhookUrl,
  payload: unknown,
  opts: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
  const base = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 300_000;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const log = opts.logger ?? silentLogger;
  const label = opts.label ?? kind;
  const body = JSON.stringify(payload);
  let last: { status?: number; reason: string } = { reason: 'not attempted' };
  let tried = 0;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    tried = attempt;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url.reveal(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const what =
        err.name === 'TimeoutError' || err.name === 'AbortError'
          ? `timed out after ${timeoutMs} ms`
          : `network error: ${err.message}${err.cause?.code ? ` (${err.cause.code})` : ''}`;
      last = { reason: url.scrub(what) };
      if (attempt < maxAttempts) {
        const wait = backoffMs(attempt, base, maxDelay, random);
        log.warn('notify: delivery failed, retrying', {
          receiver: label,
          attempt,
          reason: last.reason,
          wait_ms: Math.round(wait),
        });
        await sleep(wait);
      }
      continue;
    }
    if (res.status >= 200 && res.status < 300) {
      log.info('notify: delivered', { receiver: label, status: res.status, attempts: attempt });
      return { ok: true, attempts: attempt, status: res.status };
    }
    const snippet = url.scrub(truncate(text.replace(/\s+/g, ' ').trim(), 300));
    if (res.status === 429) {
      const wait =
        retryAfterMs(kind, text, res.headers.get('retry-after')) ??
        backoffMs(attempt, base, maxDelay, random);
      last = { status: 429, reason: `rate limited (429), retry after ${Math.round(wait)} ms` };
      if (wait > maxRetryAfter) {
        last.reason += ` exceeds the ${maxRetryAfter} ms limit`;
        break;
      }
      if (attempt < maxAttempts) {
        log.warn('notify: rate limited, waiting', {
          receiver: label,
          attempt,
          wait_ms: Math.round(wait),
        });
        await sleep(wait);
      }
      continue;
    }
    if (res.status >= 500) {
      last = { status: res.status, reason: `server error ${res.status}: ${snippet}` };
      if (attempt < maxAttempts) {
        const wait = backoffMs(attempt, base, maxDelay, random);
        log.warn('notify: server error, retrying', {
          receiver: label,
          attempt,
          status: res.status,
          wait_ms: Math.round(wait),
        });
        await sleep(wait);
      }
      continue;
    }
    const reason = `rejected with ${res.status}: ${snippet}`;
    log.warn('notify: giving up', { receiver: label, status: res.status, reason });
    return { ok: false, attempts: attempt, status: res.status, permanent: true, reason };
  }
  log.warn('notify: giving up after retries', {
    receiver: label,
    attempts: tried,
    reason: last.reason,
  });
  return { ok: false, attempts: tried, ...last, permanent: false };
}
