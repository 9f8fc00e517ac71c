import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { HttpError } from '../common/http.js';
import { checkEvent, MAX_BODY, NS_RE, type SignedEvent } from '../protocol/event.js';

/** Why a batch was refused: a fixed token, safe to log. */
export type BatchProblem = 'not_a_batch' | 'too_many_events' | 'malformed' | 'bad_signature';

/** A refused batch: an {@link HttpError} with a loggable reason and the bad event's index. */
export class BatchError extends HttpError {
  constructor(
    status: number,
    readonly reason: BatchProblem,
    message: string,
    readonly index?: number,
  ) {
    super(status, message);
    this.name = 'BatchError';
  }
}

/** Most events one `POST /events` batch may carry. */
export const MAX_BATCH_EVENTS = 1000;

/**
 * Why an event is malformed, naming the first bad field; `undefined` if its shape is fine.
 * Only called on the refusal path, to make the 400 message useful.
 */
export function describeMalformed(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const e = raw as Record<string, unknown>;
  if (typeof e.ns !== 'string' || !NS_RE.test(e.ns))
    return '"ns" must be 1–64 lowercase letters, digits, "-" or "_"';
  if (typeof e.author !== 'string') return '"author" must be a base64url public key';
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 1)
    return '"seq" must be an integer ≥ 1';
  if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return '"ts" must be a finite number';
  if (typeof e.body !== 'string') return '"body" must be a string';
  if (e.body.length > MAX_BODY) return `"body" is over ${MAX_BODY} characters`;
  if (typeof e.sig !== 'string') return '"sig" must be a base64url signature';
  return undefined;
}

// Signatures verified between yields to the event loop.
const VERIFY_SLICE = 64;

/**
 * Checks a `POST /events` body: `{"events": [...]}` with at most {@link MAX_BATCH_EVENTS}
 * events, each well formed and correctly signed. All or nothing: the first bad event refuses
 * the whole batch with a 400 naming its index and the reason. A signature costs tens of µs,
 * so a full batch yields to the event loop every 64 events rather than
 * hold it (and every other request, and scrapes) for the whole batch.
 *
 * @example const events = await checkBatch(await readJson(req, MAX_BATCH_BYTES));
 */
export async function checkBatch(body: unknown): Promise<SignedEvent[]> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BatchError(400, 'not_a_batch', 'expected a JSON object {"events": [...]}');
  const raw = (body as { events?: unknown }).events;
  if (!Array.isArray(raw)) throw new HttpError(400, '"events" must be an array of signed events');
  if (raw.length > MAX_BATCH_EVENTS)
    throw new BatchError(
      413,
      'too_many_events',
      `batch of ${raw.length} events is over the limit of ${MAX_BATCH_EVENTS}: split it`,
    );
  const out = new Array<SignedEvent>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    if (i > 0 && i % VERIFY_SLICE === 0) await yieldToLoop();
    const r = checkEvent(raw[i]);
    if (r === 'malformed')
      throw new BatchError(
        400,
        'malformed',
        `events[${i}] is malformed: ${describeMalformed(raw[i]) ?? 'bad shape'}; nothing was written`,
        i,
      );
    if (r === 'bad_signature')
      throw new BatchError(
        400,
        'bad_signature',
        `events[${i}] has a bad signature (it does not verify against its author key); nothing was written`,
        i,
      );
    out[i] = r;
  }
  return out;
}
