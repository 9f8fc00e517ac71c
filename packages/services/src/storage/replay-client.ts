/** Largest replay response read by backfill, in bytes. */
export const MAX_REPLAY_RESPONSE_BYTES = 16 * 1024 * 1024;

/** A failed replay request, with a short reason fit for logs and nothing identifying. */
export class ReplayError extends Error {
  constructor(
    /** `unreachable`, `timeout`, `status_NNN`, `too_large`, `bad_json` or `bad_shape`. */
    readonly reason: string,
  ) {
    super(`replay request failed: ${reason}`);
    this.name = 'ReplayError';
  }
}

/** Options of {@link fetchStream}. */
export interface FetchStreamOptions {
  /** Give up after this long, in ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Aborts the request (e.g. on shutdown). */
  readonly signal?: AbortSignal;
}

/**
 * Asks replay for the events of one (namespace, author) stream after a sequence number:
 * `GET {replayUrl}/events?ns=X&author=KEY&after_seq=S&limit=N` → `{"events": SignedEvent[]}`.
 * Returns the events unchecked (the caller verifies each); throws {@link ReplayError}.
 *
 * @example const raw = await fetchStream('http://127.0.0.1:7002', 'chat', key, 41, 500);
 */
export async function fetchStream(
  replayUrl: string,
  ns: string,
  author: string,
  afterSeq: number,
  limit: number,
  options: FetchStreamOptions = {},
): Promise<unknown[]> {
  const q = new URLSearchParams({
    ns,
    author,
    after_seq: String(afterSeq),
    limit: String(limit),
  });
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 5000);
  const signal =
    options.signal !== undefined ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(`${replayUrl.replace(/\/+$/, '')}/events?${q}`, {
      signal,
      headers: { accept: 'application/json' },
    });
  } catch {
    throw new ReplayError(timeout.aborted ? 'timeout' : 'unreachable');
  }
  let text: string;
  try {
    if (!res.ok) throw new ReplayError(`status_${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > MAX_REPLAY_RESPONSE_BYTES) throw new ReplayError('too_large');
    text = await readCapped(res, MAX_REPLAY_RESPONSE_BYTES);
  } catch (e) {
    await res.body?.cancel().catch(() => {});
    if (e instanceof ReplayError) throw e;
    throw new ReplayError(timeout.aborted ? 'timeout' : 'unreachable');
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ReplayError('bad_json');
  }
  const events = (body as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) throw new ReplayError('bad_shape');
  return events;
}

async function readCapped(res: Response, limit: number): Promise<string> {
  if (res.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of res.body) {
    size += c.byteLength;
    if (size > limit) throw new ReplayError('too_large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}
