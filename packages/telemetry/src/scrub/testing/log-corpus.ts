/**
 * A corpus of ordinary service log text — what relay, replay, storage, the hub and Node
 * itself print on a normal day — with no identifiers in it: durations, counts, sizes,
 * versions, dates, localhost URLs, file paths, stack frames, metric names, SQL, config
 * keys. The scrubber should change none of it; every line it changes is a false positive.
 * @module
 */
import { mulberry32 } from './canaries.js';

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

const SERVICES = ['relay', 'replay', 'storage', 'hub', 'canopy'];
const ACTORS = ['gossip', 'dialer', 'sync', 'writer', 'backfill', 'forwarder', 'scraper'];
const REASONS = ['timeout', 'refused', 'reset', 'protocol', 'closed', 'backpressure'];
const METRICS = [
  'relay_peers_connected',
  'relay_dial_duration_seconds_bucket',
  'replay_sync_queue_depth',
  'replay_head_event_age_seconds',
  'storage_write_duration_seconds_sum',
  'actor_mailbox_lag_seconds',
  'nodejs_eventloop_lag_seconds',
  'process_resident_memory_bytes',
  'canopy_telemetry_scrape_duration_seconds',
];
const PATHS = [
  '/var/lib/canopy/storage/events.sqlite',
  '/var/lib/canopy/hub/tsdb/chunks',
  '/etc/canopy/canopy.yaml',
  '/run/secrets/discord_webhook',
  '/usr/lib/node_modules/@canopy/cli/dist/hub-command.js',
  '/home/operator/canopy/packages/services/dist/relay/relay-connection-handler.js',
  '/tmp/canopy-backtest-20261203/rules.yml',
];
const WORDS = [
  'flushed',
  'compacted',
  'scheduled',
  'accepted',
  'rejected',
  'retrying',
  'draining',
  'rebalanced',
  'checkpointed',
  'acknowledged',
];
const CLASSES = [
  'SyncQueueOverflowError',
  'ConnectionResetByPeerError',
  'SqliteBusyTimeoutError',
  'WebSocketUpgradeRejectedError',
  'RuleEvaluationDeadlineExceededError',
];

const dur = (r: Rand): string =>
  pick(r, [`${int(r, 900)}ms`, `${(r() * 20).toFixed(3)}s`, `${int(r, 59)}m${int(r, 59)}s`]);
const ver = (r: Rand): string => `${int(r, 4)}.${int(r, 30)}.${int(r, 12)}`;
const iso = (r: Rand): string =>
  new Date(1_790_000_000_000 + int(r, 60 * 86_400_000)).toISOString();
const port = (r: Rand): number => pick(r, [9090, 9093, 9400, 9464, 8428, 8429, 8880, 4318]);
const bytes = (r: Rand): string =>
  pick(r, [`${int(r, 1024)} B`, `${(r() * 900).toFixed(1)} KiB`, `${(r() * 90).toFixed(2)} MiB`]);

const TEMPLATES: ReadonlyArray<(r: Rand) => string> = [
  (r) => `${pick(r, SERVICES)} listening on http://127.0.0.1:${port(r)}/metrics`,
  (r) => `gossip batch ${pick(r, WORDS)} in ${dur(r)}: ${int(r, 5000)} messages, ${bytes(r)}`,
  (r) => `dial failed (${pick(r, REASONS)}) after ${dur(r)}, attempt ${1 + int(r, 5)} of 5`,
  (r) => `sync queue depth ${int(r, 2000)} (limit 1000), lag ${dur(r)}`,
  (r) => `wrote ${int(r, 10_000)} events to ${pick(r, PATHS)} in ${dur(r)} (p99 ${dur(r)})`,
  (r) => `canopy ${ver(r)} (node v20.${int(r, 20)}.${int(r, 5)}, linux x64) starting`,
  (r) => `scrape http://localhost:${port(r)}/metrics took ${dur(r)}, ${int(r, 3000)} samples`,
  (r) => `GET /api/v1/query_range?query=rate(${pick(r, METRICS)}[5m])&step=15 200 ${dur(r)}`,
  (r) => `rule group ${pick(r, SERVICES)}-slo evaluated at ${iso(r)} in ${dur(r)}`,
  (r) => `alert ${pick(r, CLASSES).replace(/Error$/, '')} firing since ${iso(r)} (for 5m)`,
  (r) => `metric ${pick(r, METRICS)} registered with ${int(r, 40)} series (budget 10000)`,
  (r) => `retention removed ${int(r, 100)} chunks older than 15d, freed ${bytes(r)}`,
  (r) =>
    `actor ${pick(r, ACTORS)} restarted after panic, mailbox ${int(r, 500)}, ${int(r, 9)} restarts`,
  (r) => `SELECT count(*) FROM events WHERE seq > ${int(r, 1e6)} took ${dur(r)}`,
  (r) => `config ${pick(r, PATHS)}: hub.retention=15d hub.listen=127.0.0.1:9400 ok`,
  (r) =>
    `${pick(r, CLASSES)}: ${pick(r, REASONS)} while ${pick(r, WORDS)}\n    at ${pick(r, ['Object.<anonymous>', 'RelayCore.dial', 'SyncWorker.apply', 'Writer.flush'])} (${pick(r, PATHS)}:${1 + int(r, 400)}:${1 + int(r, 80)})\n    at process.processTicksAndRejections (node:internal/process/task_queues:${90 + int(r, 10)}:5)`,
  (r) =>
    `webhook ${pick(r, ['discord', 'slack'])} answered 429, retry_after ${(r() * 5).toFixed(2)}s`,
  (r) => `backfill ${int(r, 100)}% done: ${int(r, 1e6)} of ${int(r, 2e6)} events, eta ${dur(r)}`,
  (r) => `event loop lag p99 ${dur(r)}, heap ${bytes(r)} of ${bytes(r)}, cpu ${int(r, 100)}%`,
  (r) => `vmagent remote_write to http://127.0.0.1:8428/api/v1/write: ${int(r, 1e5)} samples/s`,
  (r) => `shutting down: ${int(r, 50)} connections drained in ${dur(r)}, exit code 0`,
  (r) =>
    `peer count changed ${int(r, 300)} -> ${int(r, 300)} (${int(r, 20)} connects, ${int(r, 20)} disconnects)`,
  (r) =>
    `loaded 2026-${1 + int(r, 12)}-${1 + int(r, 28)} snapshot, schema v${int(r, 9)}, ${bytes(r)}`,
  (r) => `trace exported: ${int(r, 512)} spans, queue ${int(r, 2048)}/2048, dropped 0`,
  (r) =>
    `dashboard http://localhost:3000/d/canopy-relay-overview/relay-overview?orgId=1&from=now-${1 + int(r, 24)}h&refresh=30s`,
  (r) =>
    `series ${pick(r, METRICS)}{service="${pick(r, SERVICES)}",instance="${pick(r, SERVICES)}-${int(r, 4)}:9464",le="0.005"} = ${(r() * 100).toFixed(4)}`,
  (r) =>
    `slo ${pick(r, SERVICES)} availability 0.99${int(r, 99)} over 30d, burn rate ${(r() * 20).toFixed(2)}x at ${iso(r).slice(11, 19)}`,
  (r) =>
    `build ${int(r, 0xfffffff).toString(16).padStart(7, '0')} ${ver(r)}-rc.${int(r, 9)} (${iso(r).slice(0, 10)})`,
  (r) =>
    `GET /api/v1/label/__name__/values?match[]={__name__=~"${pick(r, SERVICES)}_.*"} 200 ${dur(r)}`,
];

/**
 * `count` ordinary log lines from `seed`.
 *
 * @example
 * const fp = ordinaryLogLines(10_000, 1).filter((l) => scrubber.string(l) !== l).length;
 */
export function ordinaryLogLines(count: number, seed: number): string[] {
  const r = mulberry32(seed);
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++)
    out[i] = (TEMPLATES[i % TEMPLATES.length] as (r: Rand) => string)(r);
  return out;
}
