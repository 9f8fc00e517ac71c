/**
 * Host metrics, with node_exporter's names, that the SLOs and dashboards use. They come
 * from node_exporter (stack B) or from the hub's built-in host collector (embedded), never
 * from a service, so they are described here rather than registered.
 */
export interface HostMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  /** What one series stands for: the host, each CPU × mode, or each filesystem. */
  readonly per: 'host' | 'cpu_mode' | 'filesystem';
  /** Labels node_exporter puts on it. */
  readonly labels: readonly string[];
}

/** CPU modes node_exporter reports on Linux. */
export const CPU_MODES = [
  'idle',
  'iowait',
  'irq',
  'nice',
  'softirq',
  'steal',
  'system',
  'user',
] as const;

/** The host metrics Canopy relies on. */
export const host: readonly HostMetric[] = [
  { name: 'node_load1', help: '1m load average.', type: 'gauge', per: 'host', labels: [] },
  { name: 'node_load5', help: '5m load average.', type: 'gauge', per: 'host', labels: [] },
  { name: 'node_load15', help: '15m load average.', type: 'gauge', per: 'host', labels: [] },
  {
    name: 'node_cpu_seconds_total',
    help: 'Seconds the CPUs spent in each mode.',
    type: 'counter',
    per: 'cpu_mode',
    labels: ['cpu', 'mode'],
  },
  {
    name: 'node_memory_MemTotal_bytes',
    help: 'Memory information field MemTotal_bytes.',
    type: 'gauge',
    per: 'host',
    labels: [],
  },
  {
    name: 'node_memory_MemAvailable_bytes',
    help: 'Memory information field MemAvailable_bytes.',
    type: 'gauge',
    per: 'host',
    labels: [],
  },
  {
    name: 'node_memory_SwapTotal_bytes',
    help: 'Memory information field SwapTotal_bytes.',
    type: 'gauge',
    per: 'host',
    labels: [],
  },
  {
    name: 'node_memory_SwapFree_bytes',
    help: 'Memory information field SwapFree_bytes.',
    type: 'gauge',
    per: 'host',
    labels: [],
  },
  {
    name: 'node_filesystem_avail_bytes',
    help: 'Filesystem space available to non-root users in bytes.',
    type: 'gauge',
    per: 'filesystem',
    labels: ['device', 'fstype', 'mountpoint'],
  },
  {
    name: 'node_filesystem_size_bytes',
    help: 'Filesystem size in bytes.',
    type: 'gauge',
    per: 'filesystem',
    labels: ['device', 'fstype', 'mountpoint'],
  },
];
