import type { HistogramHandle } from '@canopy/telemetry';
import type { ActorSystem, ActorOptions } from '../actors/actor.js';
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
  /** Writes a checked batch as one transaction; waits while the mailbox is full. */
  write(events: readonly SignedEvent[], backfilled: boolean): Promise<WriteResult>;
  /** Resolves once every write queued so far is committed. */
  flush(): Promise<void>;
}

const NOTHING: WriteResult = { stored: 0, duplicates: 0 };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Spawns the `storage_writer` actor: one batch at a time, one transaction per batch, each
 * timed by `storage_write_duration_seconds`. The `slow-disk` fault (value: delay in ms,
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
    () => async (msg) => {
      if (msg.kind === 'flush') return NOTHING;
      const done = duration.startTimer();
      try {
        const slow = faults.get('slow-disk');
        if (slow.on) await sleep(slow.value > 0 ? slow.value : SLOW_DISK_DEFAULT_MS);
        return store.write(msg.events, msg.backfilled);
      } finally {
        done();
      }
    },
    { capacity: 256, ...options },
  );
  return {
    write: (events, backfilled) => actor.ask({ kind: 'write', events, backfilled }),
    flush: async () => {
      await actor.ask({ kind: 'flush' });
    },
  };
}
