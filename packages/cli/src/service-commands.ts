import { parseArgs } from 'node:util';
import {
  startRelay,
  startReplay,
  startStorage,
  runLoad,
  formatProgress,
  parseFault,
  parseHostPort,
  switchFault,
  FAULTS,
  type FaultName,
  type LoadProgress,
  type RunningService,
} from '@canopy/services';
import type { CliIO } from './cli.js';
import { serviceTracingFromFlags, TracingSettingsError } from './tracing-config.js';

/** A command line a person got wrong (printed with a usage hint, exit 2). */
export class ServiceUsageError extends Error {}

type Opts = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

function flags(
  command: string,
  args: string[],
  options: Opts,
): Record<string, string | string[] | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | string[] | boolean | undefined
    >;
  } catch (e) {
    throw new ServiceUsageError(
      `${command}: ${(e as Error).message.replace(/\. To specify.*$/s, '')}`,
    );
  }
}

function need(command: string, v: Record<string, unknown>, name: string): string {
  const x = v[name];
  if (typeof x !== 'string' || x === '')
    throw new ServiceUsageError(`${command}: --${name} is required`);
  return x;
}

function hostPort(command: string, v: string, flag: string): { host: string; port: number } {
  try {
    return parseHostPort(v, `--${flag}`);
  } catch (e) {
    throw new ServiceUsageError(`${command}: ${(e as Error).message}`);
  }
}

function url(command: string, v: string, flag: string, schemes: readonly string[]): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ServiceUsageError(
      `${command}: --${flag}: expected a URL like ${schemes[0]}//127.0.0.1:7000, got "${v}"`,
    );
  }
  if (!schemes.includes(u.protocol))
    throw new ServiceUsageError(
      `${command}: --${flag}: expected a ${schemes.join(' or ')} URL, got "${v}"`,
    );
  return v.replace(/\/+$/, '');
}

function num(
  command: string,
  v: string | undefined,
  flag: string,
  fallback: number,
  min = 0,
): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min)
    throw new ServiceUsageError(`${command}: --${flag}: expected a number ≥ ${min}, got "${v}"`);
  return n;
}

/** Flags every service command takes for its traces (see docs/tracing.md). */
const TRACE_FLAGS = {
  'otlp-endpoint': { type: 'string' },
  'trace-sample-ratio': { type: 'string' },
  'otlp-headers-file': { type: 'string' },
} as const;

/** The service's tracing options from its flags or the environment; `{}` when off. */
function tracingOf(command: string, v: Record<string, unknown>) {
  try {
    const t = serviceTracingFromFlags(command, v);
    return t === undefined ? {} : { tracing: t };
  } catch (e) {
    if (e instanceof TracingSettingsError) throw new ServiceUsageError(e.message);
    throw e;
  }
}

/** Runs until SIGINT/SIGTERM, then stops the service. */
async function serveUntilSignal(svc: RunningService, io: CliIO): Promise<number> {
  io.err(`canopy ${svc.name}: listening on ${svc.url}, metrics at ${svc.metricsUrl}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await svc.stop();
  return 0;
}

/** `canopy relay --listen HOST:PORT --metrics HOST:PORT [--peer-relay ws://…]…` */
export async function relayCommand(args: string[], io: CliIO): Promise<number> {
  const c = 'relay';
  const v = flags(c, args, {
    listen: { type: 'string' },
    metrics: { type: 'string' },
    'peer-relay': { type: 'string', multiple: true },
    ...TRACE_FLAGS,
  });
  const svc = await startRelay({
    listen: hostPort(c, need(c, v, 'listen'), 'listen'),
    metrics: hostPort(c, need(c, v, 'metrics'), 'metrics'),
    peerRelays: ((v['peer-relay'] as string[] | undefined) ?? []).map((u) =>
      url(c, u, 'peer-relay', ['ws:', 'wss:']),
    ),
    ...tracingOf(c, v),
  });
  return serveUntilSignal(svc, io);
}

/** `canopy replay --relay ws://… --storage http://… --listen HOST:PORT --metrics HOST:PORT` */
export async function replayCommand(args: string[], io: CliIO): Promise<number> {
  const c = 'replay';
  const v = flags(c, args, {
    relay: { type: 'string' },
    storage: { type: 'string' },
    listen: { type: 'string' },
    metrics: { type: 'string' },
    ...TRACE_FLAGS,
  });
  const svc = await startReplay({
    relayUrl: url(c, need(c, v, 'relay'), 'relay', ['ws:', 'wss:']),
    storageUrl: url(c, need(c, v, 'storage'), 'storage', ['http:', 'https:']),
    listen: hostPort(c, need(c, v, 'listen'), 'listen'),
    metrics: hostPort(c, need(c, v, 'metrics'), 'metrics'),
    ...tracingOf(c, v),
  });
  return serveUntilSignal(svc, io);
}

/** `canopy storage --listen HOST:PORT --metrics HOST:PORT --db PATH [--replay http://…]` */
export async function storageCommand(args: string[], io: CliIO): Promise<number> {
  const c = 'storage';
  const v = flags(c, args, {
    listen: { type: 'string' },
    metrics: { type: 'string' },
    db: { type: 'string' },
    replay: { type: 'string' },
    ...TRACE_FLAGS,
  });
  const replay = v.replay as string | undefined;
  const svc = await startStorage({
    listen: hostPort(c, need(c, v, 'listen'), 'listen'),
    metrics: hostPort(c, need(c, v, 'metrics'), 'metrics'),
    db: need(c, v, 'db'),
    ...(replay !== undefined ? { replayUrl: url(c, replay, 'replay', ['http:', 'https:']) } : {}),
    ...tracingOf(c, v),
  });
  return serveUntilSignal(svc, io);
}

/** Options shared by `canopy load` and `npm start`. */
export const LOAD_FLAGS = {
  relay: { type: 'string', multiple: true },
  replay: { type: 'string' },
  storage: { type: 'string' },
  peers: { type: 'string' },
  rate: { type: 'string' },
  churn: { type: 'string' },
  duration: { type: 'string' },
  fault: { type: 'string', multiple: true },
} as const;

/** `canopy load --relay ws://… --peers N --rate R --churn C --duration S [--fault …]` */
export async function loadCommand(args: string[], io: CliIO): Promise<number> {
  const c = 'load';
  const v = flags(c, args, LOAD_FLAGS);
  const relays = ((v.relay as string[] | undefined) ?? []).map((u) =>
    url(c, u, 'relay', ['ws:', 'wss:']),
  );
  if (relays.length === 0)
    throw new ServiceUsageError(`${c}: --relay is required (repeat it for several relays)`);
  let faults;
  try {
    faults = ((v.fault as string[] | undefined) ?? []).map(parseFault);
  } catch (e) {
    throw new ServiceUsageError(`${c}: ${(e as Error).message}`);
  }
  if (faults.some((f) => f.fault === 'kill'))
    throw new ServiceUsageError(
      `${c}: kill:SERVICE needs the processes; use it with \`npm start\` (canopy up)`,
    );
  const replay = v.replay as string | undefined;
  const storage = v.storage as string | undefined;
  // Every flag is checked before the load starts or a signal handler is installed.
  const opts = {
    relays,
    ...(replay !== undefined ? { replayUrl: url(c, replay, 'replay', ['http:', 'https:']) } : {}),
    ...(storage !== undefined
      ? { storageUrl: url(c, storage, 'storage', ['http:', 'https:']) }
      : {}),
    peers: num(c, v.peers as string | undefined, 'peers', 100, 1),
    rate: num(c, v.rate as string | undefined, 'rate', 100),
    churn: num(c, v.churn as string | undefined, 'churn', 30),
    durationS: num(c, v.duration as string | undefined, 'duration', 60, 1),
    faults,
  };
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  let prev: LoadProgress | undefined;
  const tty = process.stderr.isTTY === true;
  const result = await runLoad({
    ...opts,
    signal: ac.signal,
    onProgress: (p) => {
      const line = formatProgress(p, prev);
      prev = p;
      if (tty) io.err(`\r${line}   `);
      else if (Math.round(p.elapsedS) % 5 === 0) io.err(line + '\n');
    },
  });
  if (tty) io.err('\n');
  io.out(
    `load: ${result.elapsedS.toFixed(1)} s, published ${result.published}, received ${result.received}, ` +
      `syncs ${result.synced}, churned ${result.reconnects}, errors ${JSON.stringify(result.errors)}\n`,
  );
  return 0;
}

/** `canopy fault NAME on|off --service URL [--value N]` */
export async function faultCommand(args: string[], io: CliIO): Promise<number> {
  const c = 'fault';
  const [name, state, ...rest] = args;
  if (name === undefined || !(FAULTS as readonly string[]).includes(name))
    throw new ServiceUsageError(
      `${c}: expected a fault name (${FAULTS.join(', ')}), got "${name ?? ''}"`,
    );
  if (state !== 'on' && state !== 'off')
    throw new ServiceUsageError(
      `${c}: expected on or off after the fault name, got "${state ?? ''}"`,
    );
  const v = flags(c, rest, { service: { type: 'string' }, value: { type: 'string' } });
  const target = url(c, need(c, v, 'service'), 'service', ['http:', 'https:', 'ws:', 'wss:']);
  const value = num(c, v.value as string | undefined, 'value', 0);
  try {
    await switchFault(target, name as FaultName, state === 'on', value);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    io.err(
      `canopy fault: could not switch ${name} at ${target}: ${why}` +
        (cause?.code === 'ECONNREFUSED' ? ' (is the service running?)' : '') +
        '\n',
    );
    return 1;
  }
  io.out(`fault ${name} ${state} at ${target}\n`);
  return 0;
}
