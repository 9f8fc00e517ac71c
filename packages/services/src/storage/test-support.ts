/**
 * Helpers of the storage tests: temp dirs, signed events, HTTP calls with bounded waits
 * and a fake replay serving its documented contract. Test helper only; not exported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeServer, portOf, type RunningService } from '../common/service.js';
import { signEvent, type SignedEvent } from '../protocol/event.js';
import type { Identity } from '../protocol/keys.js';
import { startStorage, type StorageOptions } from './service.js';

// Service logs would interleave with the test runner's output.
process.env.CANOPY_LOG_LEVEL ??= 'silent';

/** Most time any test waits for anything, in ms. */
export const WAIT_MS = 10_000;

/** A fresh temp dir and a function that removes it. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-storage-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts storage on free loopback ports. */
export function startTestStorage(
  db: string,
  extra: Partial<Pick<StorageOptions, 'replayUrl' | 'backfillIntervalMs'>> = {},
): Promise<RunningService> {
  return startStorage({
    listen: { host: '127.0.0.1', port: 0 },
    metrics: { host: '127.0.0.1', port: 0 },
    db,
    ...extra,
  });
}

/** Signed events of one author and namespace, one per sequence number. */
export function makeEvents(id: Identity, ns: string, seqs: readonly number[]): SignedEvent[] {
  return seqs.map((s) => signEvent(id, ns, s, `body ${s}`, 1_700_000_000_000 + s));
}

/** A response's status and parsed JSON body. */
export interface JsonResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A bounded HTTP request returning status and JSON body. */
export async function request(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(WAIT_MS) });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** `POST {base}/events` with a JSON body. */
export function postEvents(base: string, body: unknown): Promise<JsonResponse> {
  return request(`${base}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Stored event count from `GET /stats`. */
export async function storedCount(base: string): Promise<number> {
  const r = await request(`${base}/stats`);
  return r.body.events as number;
}

/** Polls `check` every 20 ms until it returns true; throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The value of an unlabelled sample (or a sample with the exact label block) in a rendering. */
export function sampleValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n'))
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1));
  return undefined;
}

/** A fake replay serving `GET /events?ns&author&after_seq&limit` → `{"events": [...]}`. */
export interface FakeReplay {
  readonly url: string;
  /** Query strings of the requests received. */
  readonly requests: URLSearchParams[];
  /** Events it serves (tests may add to it). */
  readonly events: unknown[];
  close(): Promise<void>;
}

/** Starts a {@link FakeReplay} on 127.0.0.1. */
export async function startFakeReplay(events: unknown[]): Promise<FakeReplay> {
  const requests: URLSearchParams[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://replay');
    if (req.method !== 'GET' || u.pathname !== '/events') {
      res.writeHead(404).end();
      return;
    }
    requests.push(u.searchParams);
    const ns = u.searchParams.get('ns');
    const author = u.searchParams.get('author');
    const after = Number(u.searchParams.get('after_seq') ?? 0);
    const limit = Number(u.searchParams.get('limit') ?? 100);
    const out = events
      .filter((e) => {
        const x = e as SignedEvent;
        return x.ns === ns && x.author === author && x.seq > after;
      })
      .sort((a, b) => (a as SignedEvent).seq - (b as SignedEvent).seq)
      .slice(0, limit);
    const s = JSON.stringify({ events: out });
    res.writeHead(200, { 'content-type': 'application/json' }).end(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    requests,
    events,
    close: () => closeServer(server),
  };
}
