import type { CounterHandle } from './counter.js';
import type { GaugeHandle } from './gauge.js';
import type { HistogramHandle } from './histogram.js';

/** One handle that does nothing, for a registry with telemetry switched off. */
export const NOOP_HANDLE: CounterHandle & GaugeHandle & HistogramHandle = {
  inc() {},
  dec() {},
  set() {},
  get() {
    return 0;
  },
  observe() {},
  startTimer() {
    return () => 0;
  },
};
