import {
  monitorEventLoopDelay,
  PerformanceObserver,
  type IntervalHistogram,
} from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import type { Registry } from './registry.js';
import type { CounterSpec, GaugeSpec } from './spec.js';

/** Specs of the runtime metrics, with the names Prometheus clients conventionally use. */
export const runtimeSpecs = {
  cpuUser: {
    type: 'counter',
    name: 'process_cpu_user_seconds_total',
    help: 'User CPU time spent by the process.',
    unit: 'seconds',
  },
  cpuSystem: {
    type: 'counter',
    name: 'process_cpu_system_seconds_total',
    help: 'System CPU time spent by the process.',
    unit: 'seconds',
  },
  cpu: {
    type: 'counter',
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent by the process.',
    unit: 'seconds',
  },
  startTime: {
    type: 'gauge',
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch.',
    unit: 'seconds',
  },
  rss: {
    type: 'gauge',
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size of the process.',
    unit: 'bytes',
  },
  openFds: {
    type: 'gauge',
    name: 'process_open_fds',
    help: 'Number of open file descriptors.',
  },
  heapTotal: {
    type: 'gauge',
    name: 'nodejs_heap_size_total_bytes',
    help: 'V8 heap size.',
    unit: 'bytes',
  },
  heapUsed: {
    type: 'gauge',
    name: 'nodejs_heap_size_used_bytes',
    help: 'V8 heap in use.',
    unit: 'bytes',
  },
  heapLimit: {
    type: 'gauge',
    name: 'nodejs_heap_size_limit_bytes',
    help: 'V8 heap size limit.',
    unit: 'bytes',
  },
  external: {
    type: 'gauge',
    name: 'nodejs_external_memory_bytes',
    help: 'Memory of C++ objects bound to JavaScript objects.',
    unit: 'bytes',
  },
  lag: {
    type: 'gauge',
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Mean event loop delay since the previous scrape.',
    unit: 'seconds',
  },
  lagP99: {
    type: 'gauge',
    name: 'nodejs_eventloop_lag_p99_seconds',
    help: '99th percentile of event loop delay since the previous scrape.',
    unit: 'seconds',
  },
  lagMax: {
    type: 'gauge',
    name: 'nodejs_eventloop_lag_max_seconds',
    help: 'Largest event loop delay since the previous scrape.',
    unit: 'seconds',
  },
  gc: {
    type: 'counter',
    name: 'nodejs_gc_duration_seconds_total',
    help: 'Time spent in garbage collection, by kind.',
    unit: 'seconds',
    labels: { kind: { kind: 'enum', values: ['minor', 'major', 'incremental', 'weakcb'] } },
  },
} as const satisfies Record<string, CounterSpec | GaugeSpec>;

/** Options of {@link collectRuntimeMetrics}. */
export interface RuntimeMetricsOptions {
  /**
   * The event-loop monitor and GC observer start on the first scrape and stop after this
   * long without one, so an unscraped process pays nothing. Default 300000 (5 min).
   */
  readonly idleMs?: number;
}

const GC_KINDS = ['minor', 'major', 'incremental', 'weakcb'] as const;

/**
 * Registers the process and Node.js runtime metrics. All values are read at scrape time;
 * nothing runs between scrapes except, while scrapes keep coming, Node's native
 * event-loop delay monitor and a GC observer.
 *
 * @example collectRuntimeMetrics(registry);
 */
export function collectRuntimeMetrics(
  registry: Registry,
  options: RuntimeMetricsOptions = {},
): void {
  const idleMs = options.idleMs ?? 300_000;
  const startTime = Math.round((Date.now() - performance.now()) / 10) / 100;
  let elh: IntervalHistogram | undefined;
  let gcObserver: PerformanceObserver | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const gcSeconds = new Float64Array(GC_KINDS.length);

  const disarm = (): void => {
    elh?.disable();
    elh = undefined;
    gcObserver?.disconnect();
    gcObserver = undefined;
    idleTimer = undefined;
  };
  const arm = (): void => {
    if (idleTimer === undefined) idleTimer = setTimeout(disarm, idleMs).unref();
    else idleTimer.refresh();
    if (elh === undefined) {
      elh = monitorEventLoopDelay({ resolution: 10 });
      elh.enable();
    }
    if (gcObserver === undefined) {
      gcObserver = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
          // NODE_PERFORMANCE_GC_MINOR=1, MAJOR=4, INCREMENTAL=8, WEAKCB=16
          const i = kind === 1 ? 0 : kind === 4 ? 1 : kind === 8 ? 2 : kind === 16 ? 3 : 1;
          gcSeconds[i]! += e.duration / 1000;
        }
      });
      gcObserver.observe({ entryTypes: ['gc'] });
    }
  };

  const user = registry.counter(runtimeSpecs.cpuUser);
  const system = registry.counter(runtimeSpecs.cpuSystem);
  registry.counter(runtimeSpecs.cpu, {
    collect: (c) => {
      arm();
      const u = process.cpuUsage();
      user.setRaw(0, u.user / 1e6);
      system.setRaw(0, u.system / 1e6);
      c.setRaw(0, (u.user + u.system) / 1e6);
    },
  });
  registry.gauge(runtimeSpecs.startTime).labels().set(startTime);
  registry.gauge(runtimeSpecs.rss, { collect: (g) => g.labels().set(process.memoryUsage.rss()) });
  if (process.platform === 'linux') {
    registry.gauge(runtimeSpecs.openFds, {
      collect: (g) => g.labels().set(readdirSync('/proc/self/fd').length),
    });
  }
  registry.gauge(runtimeSpecs.heapTotal, {
    collect: (g) => {
      const m = process.memoryUsage();
      g.labels().set(m.heapTotal);
      heapUsed.set(m.heapUsed);
      external.set(m.external);
    },
  });
  const heapUsed = registry.gauge(runtimeSpecs.heapUsed).labels();
  const external = registry.gauge(runtimeSpecs.external).labels();
  registry.gauge(runtimeSpecs.heapLimit).labels().set(getHeapStatistics().heap_size_limit);
  const lagP99 = registry.gauge(runtimeSpecs.lagP99).labels();
  const lagMax = registry.gauge(runtimeSpecs.lagMax).labels();
  registry.gauge(runtimeSpecs.lag, {
    collect: (g) => {
      if (elh === undefined || elh.count === 0) return;
      g.labels().set(elh.mean / 1e9);
      lagP99.set(elh.percentile(99) / 1e9);
      lagMax.set(elh.max / 1e9);
      elh.reset();
    },
  });
  registry.counter(runtimeSpecs.gc, {
    collect: (c) => {
      for (let i = 0; i < GC_KINDS.length; i++) {
        const h = c.labels({ kind: GC_KINDS[i]! });
        h.inc(gcSeconds[i]! - h.get());
      }
    },
  });
}
