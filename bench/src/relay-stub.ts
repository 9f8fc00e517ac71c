/**
 * A socket-less relay subscriber and the wait for its deliveries, shared by the relay
 * benchmarks that drive `createRelayCore` in process (`relay-core.ts`, `relay-tracing.ts`).
 */
import type { RelaySocket } from '@canopy/services';

const DRAIN_TIMEOUT_MS = 10_000;

/** Deliveries counted across every {@link StubSocket} of one core. */
export interface StubCounter {
  bytes: number;
  frames: number;
}

/** A socket that does the least a write must: count the frame and its bytes. */
export class StubSocket implements RelaySocket {
  readyState = 1;
  bufferedAmount = 0;
  closed = false;
  constructor(private readonly counter: StubCounter) {}
  send(data: Buffer): void {
    this.counter.bytes += data.length;
    this.counter.frames++;
  }
  close(): void {
    this.closed = true;
  }
  terminate(): void {
    this.closed = true;
  }
  pause(): void {}
  resume(): void {}
}

/** Yields to the event loop until `target` frames have landed; throws after 10 s. */
export async function drain(counter: StubCounter, target: number): Promise<void> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (counter.frames < target) {
    if (performance.now() > deadline)
      throw new Error(`relay core delivered ${counter.frames} of ${target} frames`);
    await new Promise((r) => setImmediate(r));
  }
}
