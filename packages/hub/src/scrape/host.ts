/**
 * The built-in host collector of embedded mode: reads /proc and statfs and renders, in the
 * text format, the node_exporter metrics the catalog lists (same names, labels, units), so
 * the same rules and dashboards work with the real node_exporter. It is scraped as an
 * in-process target (`service="host"`) through the same parser, limits and staleness
 * handling as HTTP targets.
 */

import { readFile, statfs } from 'node:fs/promises';
import { hostname } from 'node:os';
import { host as hostMetrics } from '@canopy/catalog';
import type { SourceTarget } from './scraper.js';
import type { ScrapeSource } from './target-loop.js';

/** Options of {@link collectHost}. */
export interface HostCollectorOptions {
  /** Where procfs is mounted. Default `/proc`. */
  readonly procPath?: string;
}

/** Linux's USER_HZ: /proc/stat counts CPU time in 1/100 s. */
const USER_HZ = 100;

/** /proc/stat columns after `cpuN`, in order, as node_exporter names them. */
const STAT_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

/**
 * node_exporter's default exclusions for the filesystem collector, as in Debian's
 * prometheus-node-exporter (the package stack B installs): its mount-point list also
 * drops /run, /mnt and /media, which upstream keeps (but for /run/credentials).
 */
const MOUNT_POINTS_EXCLUDED =
  /^\/(dev|proc|run|sys|mnt|media|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;
const FS_TYPES_EXCLUDED =
  /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$/;

/** Mount points whose statfs has not returned yet (a hung NFS server): skipped until it does. */
const stuck = new Set<string>();

/** One filesystem to report. */
export interface MountInfo {
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
}

/** Undoes the octal escapes of /proc/mounts (`\040` is a space). */
function unoctal(s: string): string {
  return s.indexOf('\\') === -1
    ? s
    : s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * The filesystems node_exporter would report, from the text of /proc/mounts: pseudo and
 * excluded filesystems dropped, duplicate entries once.
 *
 * @example parseMounts('/dev/vda / ext4 rw 0 0\nproc /proc proc rw 0 0\n') // [{ device: '/dev/vda', mountpoint: '/', fstype: 'ext4' }]
 */
export function parseMounts(text: string): MountInfo[] {
  const out = new Map<string, MountInfo>();
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 3) continue;
    const device = unoctal(f[0]!);
    const mountpoint = unoctal(f[1]!);
    const fstype = f[2]!;
    if (MOUNT_POINTS_EXCLUDED.test(mountpoint) || FS_TYPES_EXCLUDED.test(fstype)) continue;
    out.set(`${device}\u0000${mountpoint}\u0000${fstype}`, { device, mountpoint, fstype });
  }
  return [...out.values()];
}

function escapeLabel(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Reads `/proc/meminfo` fields in bytes. */
function meminfo(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const r = /^(\w+):\s+([0-9]+)(?: kB)?$/.exec(line);
    if (r === null) continue;
    m.set(r[1]!, Number(r[2]) * (line.endsWith(' kB') ? 1024 : 1));
  }
  return m;
}

async function readMounts(proc: string): Promise<string> {
  // node_exporter reads PID 1's view (the host's, when the hub runs in a container with
  // the host's /proc), falling back to our own.
  try {
    return await readFile(`${proc}/1/mounts`, 'utf8');
  } catch {
    return await readFile(`${proc}/self/mounts`, 'utf8');
  }
}

async function statMount(m: MountInfo): Promise<{ size: number; avail: number } | undefined> {
  if (stuck.has(m.mountpoint)) return undefined;
  stuck.add(m.mountpoint);
  try {
    const s = await statfs(m.mountpoint);
    return { size: s.blocks * s.bsize, avail: s.bavail * s.bsize };
  } catch {
    return undefined; // gone, or not ours to read: node_exporter reports device_error
  } finally {
    stuck.delete(m.mountpoint);
  }
}

/**
 * Renders the host metrics of the catalog (`node_load1/5/15`, `node_cpu_seconds_total`,
 * `node_memory_{MemTotal,MemAvailable,SwapTotal,SwapFree}_bytes`,
 * `node_filesystem_{avail,size}_bytes`) in the text format 0.0.4.
 *
 * @example const body = await collectHost(); // '# HELP node_load1 1m load average.\n…'
 */
export async function collectHost(options: HostCollectorOptions = {}): Promise<string> {
  const proc = options.procPath ?? '/proc';
  const [loadavg, stat, mem, mountsText] = await Promise.all([
    readFile(`${proc}/loadavg`, 'utf8'),
    readFile(`${proc}/stat`, 'utf8'),
    readFile(`${proc}/meminfo`, 'utf8'),
    readMounts(proc),
  ]);
  const mounts = parseMounts(mountsText);
  const fs = await Promise.all(mounts.map(statMount));
  const lines = new Map<string, string[]>();
  const add = (name: string, labels: string, v: number): void => {
    let l = lines.get(name);
    if (l === undefined) lines.set(name, (l = []));
    l.push(`${name}${labels} ${num(v)}`);
  };

  const load = loadavg.split(' ');
  add('node_load1', '', Number(load[0]));
  add('node_load5', '', Number(load[1]));
  add('node_load15', '', Number(load[2]));

  for (const line of stat.split('\n')) {
    // `cpu` alone is the sum over CPUs; node_exporter reports each CPU only.
    if (!line.startsWith('cpu') || line.startsWith('cpu ')) continue;
    const f = line.split(/\s+/);
    const cpu = f[0]!.slice(3);
    for (let i = 0; i < STAT_MODES.length; i++) {
      const ticks = f[i + 1];
      if (ticks === undefined) break;
      add(
        'node_cpu_seconds_total',
        `{cpu="${cpu}",mode="${STAT_MODES[i]!}"}`,
        Number(ticks) / USER_HZ,
      );
    }
  }

  const m = meminfo(mem);
  for (const field of ['MemAvailable', 'MemTotal', 'SwapFree', 'SwapTotal']) {
    const v = m.get(field);
    if (v !== undefined) add(`node_memory_${field}_bytes`, '', v);
  }

  for (let i = 0; i < mounts.length; i++) {
    const s = fs[i];
    if (s === undefined) continue;
    const mt = mounts[i]!;
    const labels = `{device="${escapeLabel(mt.device)}",fstype="${escapeLabel(mt.fstype)}",mountpoint="${escapeLabel(mt.mountpoint)}"}`;
    add('node_filesystem_avail_bytes', labels, s.avail);
    add('node_filesystem_size_bytes', labels, s.size);
  }

  let out = '';
  for (const metric of hostMetrics) {
    const l = lines.get(metric.name);
    if (l === undefined) continue;
    out += `# HELP ${metric.name} ${metric.help}\n# TYPE ${metric.name} ${metric.type}\n`;
    out += l.join('\n') + '\n';
  }
  return out;
}

/**
 * The host collector as an in-process scrape source.
 *
 * @example const source = hostSource(); await source.collect(new AbortController().signal);
 */
export function hostSource(options: HostCollectorOptions = {}): ScrapeSource {
  return {
    collect: () => collectHost(options),
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
  };
}

/**
 * The host collector as a target: `service="host"`, `instance` the host name (default
 * `os.hostname()`), scraped at the config's interval unless given.
 *
 * @example new Scraper(tsdb, config, { sources: [hostTarget()] });
 */
export function hostTarget(
  options: HostCollectorOptions & { readonly instance?: string; readonly interval?: number } = {},
): SourceTarget {
  return {
    service: 'host',
    instance: options.instance ?? hostname(),
    url: 'builtin:host',
    source: hostSource(options),
    ...(options.interval !== undefined ? { interval: options.interval } : {}),
  };
}
