import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { CounterHandle } from '@canopy/telemetry';
import type { Span } from '@opentelemetry/api';
import type { ActorSystem, TraceCarrier } from '../actors/actor.js';
import type { Logger } from '../common/log.js';
import { checkEvent, type SignedEvent } from '../protocol/event.js';
import { fetchStream, ReplayError } from './replay-client.js';
import type { EventStore } from './store.js';
import type { Writer } from './writer.js';

/** Options of {@link startBackfill}. */
export interface BackfillOptions {
  /** Base URL of replay (`http://host:port`). */
  readonly replayUrl: string;
  /** Time between rounds, in ms. Default 2000. */
  readonly intervalMs?: number;
  /** Most streams asked about per round. Default 16. */
  readonly streamsPerRound?: number;
  /** Most events asked for per stream per round. Default 500. */
  readonly eventsPerStream?: number;
  /** Timeout of each replay request, in ms. Default 5000. */
  readonly timeoutMs?: number;
}

/** What one round did. */
export interface BackfillRound {
  /** Gappy streams asked about. */
  readonly streams: number;
  /** Events written (new, marked backfilled). */
  readonly stored: number;
  /** Events replay sent that failed the shape or signature check. */
  readonly rejected: number;
  /** Why the round stopped early, if it did (a {@link ReplayError} reason). */
  readonly failure: string | undefined;
}

/** A running backfill loop. */
export interface Backfill {
  /** Runs a round now (after any round in progress) and resolves with what it did. */
  runOnce(): Promise<BackfillRound>;
  /** Stops the timer, aborts a replay request in flight and waits for the round to end. */
  stop(): Promise<void>;
}

type Msg = 'round' | 'idle';

/** Counts and the fixed failure reason of a round, as attributes of its span. */
function describeRound(span: Span, r: BackfillRound): void {
  span.setAttribute('canopy.streams', r.streams);
  span.setAttribute('canopy.stored', r.stored);
  span.setAttribute('canopy.rejected', r.rejected);
  if (r.failure !== undefined) span.setAttribute('canopy.failure', r.failure);
}

const IDLE: BackfillRound = { streams: 0, stored: 0, rejected: 0, failure: undefined };

/**
 * Starts the `storage_backfill` actor. Every `intervalMs` it takes the next few streams
 * with a gap (round-robin over all of them), asks replay for the events after each first
 * gap, checks them (shape, signature, same stream, inside the gap) and writes them through
 * the writer marked as backfilled, counting them in `storage_events_backfilled_total`.
 * Only events inside a gap are taken: later ones are replay's live forwarding to deliver,
 * so the counter means "events that were missed".
 *
 * @example
 * const backfill = startBackfill(system, store, writer, counter.labels(), log,
 *   { replayUrl: 'http://127.0.0.1:7002' });
 * await backfill.stop();
 */
export function startBackfill(
  system: ActorSystem,
  store: EventStore,
  writer: Writer,
  backfilled: CounterHandle,
  log: Logger,
  options: BackfillOptions,
): Backfill {
  const perRound = options.streamsPerRound ?? 16;
  const perStream = options.eventsPerStream ?? 500;
  const timeoutMs = options.timeoutMs ?? 5000;
  const abort = new AbortController();
  let cursor = { ns: '', author: '' };
  let failing: string | undefined;

  const round = async (trace: TraceCarrier | undefined): Promise<BackfillRound> => {
    const streams = store.gappyStreams(cursor.ns, cursor.author, perRound);
    const last = streams[streams.length - 1];
    // Fewer than a full round left: start over next time.
    cursor = streams.length < perRound || last === undefined ? { ns: '', author: '' } : last;
    let stored = 0;
    let rejected = 0;
    let failure: string | undefined;
    for (const s of streams) {
      if (abort.signal.aborted) break;
      const after = store.firstGapAfter(s.ns, s.author);
      if (after >= s.maxSeq) continue;
      let raw: unknown[];
      try {
        raw = await fetchStream(options.replayUrl, s.ns, s.author, after, perStream, {
          timeoutMs,
          signal: abort.signal,
        });
      } catch (e) {
        if (!(e instanceof ReplayError)) throw e;
        failure = e.reason;
        break;
      }
      const events: SignedEvent[] = [];
      // A replay that sends more than asked for gets only what was asked for looked at.
      const n = Math.min(raw.length, perStream);
      for (let i = 0; i < n; i++) {
        // Up to 500 signatures per stream: let requests and scrapes in between.
        if (i > 0 && i % 64 === 0) await yieldToLoop();
        const ev = checkEvent(raw[i]);
        if (typeof ev === 'string') rejected++;
        else if (ev.ns === s.ns && ev.author === s.author && ev.seq > after && ev.seq < s.maxSeq)
          events.push(ev);
      }
      if (events.length === 0) continue;
      const r = await writer.write(events, true, trace);
      backfilled.inc(r.stored);
      stored += r.stored;
    }
    if (abort.signal.aborted) return { streams: streams.length, stored, rejected, failure };
    // Log changes of state and work done, not every idle round.
    if (failure !== undefined && failure !== failing)
      log.warn({ reason: failure }, 'backfill: replay request failed; retrying next round');
    else if (failure === undefined && failing !== undefined)
      log.info('backfill: replay reachable again');
    failing = failure;
    if (stored > 0 || rejected > 0)
      log.info({ streams: streams.length, stored, rejected }, 'backfill round');
    return { streams: streams.length, stored, rejected, failure };
  };

  const actor = system.spawn<Msg, BackfillRound>(
    'storage_backfill',
    () => async (msg, ctx) => {
      if (msg === 'idle') return IDLE;
      const r = await round(ctx.trace);
      if (ctx.span !== undefined) describeRound(ctx.span, r);
      return r;
    },
    {
      capacity: 4,
      span: 'storage backfill',
      onPanic: (e) => log.error({ err: (e as Error).message }, 'backfill round panicked'),
    },
  );
  const timer = setInterval(() => {
    // A round already waiting is enough; don't queue more behind a slow replay.
    if (actor.depth === 0) actor.trySend('round');
  }, options.intervalMs ?? 2000);
  timer.unref();

  return {
    runOnce: () => actor.ask('round'),
    stop: async () => {
      clearInterval(timer);
      abort.abort();
      await actor.ask('idle').catch(() => {});
    },
  };
}
