import type { CounterSpec, GaugeSpec } from '@canopy/telemetry';

/**
 * Process and Node.js runtime metrics every service exposes through the telemetry
 * library's runtime collector. Kept equal to `runtimeSpecs` of `@canopy/telemetry`
 * (checked by a test), so the catalog can be read without loading runtime code.
 */
export const processMetrics = {
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
