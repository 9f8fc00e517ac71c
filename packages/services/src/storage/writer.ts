import type { HistogramHandle } from '@canopy/telemetry';
import { exemplarOf } from '@canopy/telemetry/tracing';
import type { ActorSystem, ActorOptions, TraceCarrier } from '../actors/actor.js';
import type { Faults } from '../common/faults.js';
import type { SignedEvent } from '../protocol/event.js';
import type { EventStore, WriteResult } from './store.js';

/** Delay of the `slow-disk` fault when switched on without a value, in ms. */
export const SLOW_DISK_DEFAULT_MS = 150;

/** A message of the `storage_writer` actor. */
export type WriterMessage =
  | {
      readonly kind: 'write';
      readonly events: readonly SignedEvent[];
      readonly backfilled: boolean;
    }
  /** A barrier: answered once every write queued before it is done. */
  | { readonly kind: 'flush' };

/** The single writer of an {@link EventStore}. */
export interface Writer {
  /**
   * Writes a checked batch as one transaction; waits while the mailbox is full. With
   * tracing on, the `storage write batch` span is a child of `trace` (or a new trace).
   */
  write(
    events: readonly SignedEvent[],
    backfilled: boolean,
    trace?: TraceCarrier,
  ): Promise<WriteResult>;
  /** Resolves once every write queued so far is committed. */
  flush(): Promise<void>;
}

const NOTHING: WriteResult = { stored: 0, duplicates: 0 };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Spawns the `storage_writer` actor: one batch at a time, one transaction per batch, each
 * timed by `storage_write_duration_seconds` (with the batch's `trace_id` as exemplar when
 * its span is sampled) and, with tracing on, inside a `storage write batch` span. The `slow-disk` fault (value: delay in ms,
 * default {@link SLOW_DISK_DEFAULT_MS}) sleeps inside the timed section, before the commit,
 * so a delayed batch is neither visible nor acknowledged early.
 *
 * @example
 * const writer = spawnWriter(system, store, histogram.labels(), faults);
 * await writer.write(events, false); // { stored, duplicates }
 */
export function spawnWriter(
  system: ActorSystem,
  store: EventStore,
  duration: HistogramHandle,
  faults: Faults,
  options: ActorOptions = {},
): Writer {
  const actor = system.spawn<WriterMessage, WriteResult>(
    'storage_writer',
    () => async (msg, ctx) => {
      if (msg.kind === 'flush') return NOTHING;
      const t0 = performance.now();
      const span = ctx.span;
      try {
        const slow = faults.get('slow-disk');
        if (slow.on) await sleep(slow.value > 0 ? slow.value : SLOW_DISK_DEFAULT_MS);
        const r = store.write(msg.events, msg.backfilled);
        if (span !== undefined) {
          span.setAttribute('canopy.events', msg.events.length);
          span.setAttribute('canopy.stored', r.stored);
          span.setAttribute('canopy.duplicates', r.duplicates);
          span.setAttribute('canopy.backfilled', msg.backfilled);
        }
        return r;
      } finally {
        const s = (performance.now() - t0) / 1000;
        duration.observe(s, span === undefined ? undefined : exemplarOf(span));
      }
    },
    { capacity: 256, span: 'storage write batch', ...options },
  );
  return {
    write: (events, backfilled, trace) => actor.ask({ kind: 'write', events, backfilled }, trace),
    flush: async () => {
      await actor.ask({ kind: 'flush' });
    },
  };
}
