/**
 * One log line as the log store keeps it, read from a pino JSON line: `time` (ISO string or
 * epoch ms), `level` (label or pino number), `service`, `msg`, optional `trace_id` and
 * `span_id`; every other field is kept in `fields`.
 */

/** Level names, lowest first; the store keeps pino's numbers (10 … 60). */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** A level name. */
export type LevelName = (typeof LEVELS)[number];

/** pino's number for a level name (`info` → 30). */
export function levelNumber(name: LevelName): number {
  return (LEVELS.indexOf(name) + 1) * 10;
}

/** The name of a pino level number, rounded down to a known level (35 → `info`). */
export function levelName(n: number): LevelName {
  const i = Math.min(LEVELS.length, Math.max(1, Math.floor(n / 10))) - 1;
  return LEVELS[i]!;
}

/** A stored log line. */
export interface LogRecord {
  readonly timeMs: number;
  readonly service: string;
  /** pino's number: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
  readonly level: number;
  readonly msg: string;
  readonly traceId?: string | undefined;
  readonly spanId?: string | undefined;
  readonly fields: Record<string, unknown>;
}

/** A line that is not a usable pino JSON object; `message` says why. */
export class LogLineError extends Error {}

const RESERVED = new Set(['time', 'level', 'service', 'msg', 'trace_id', 'span_id']);

function parseLevel(v: unknown): number | undefined {
  if (v === undefined) return 30;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const i = (LEVELS as readonly string[]).indexOf(v.toLowerCase());
    if (i >= 0) return (i + 1) * 10;
  }
  return undefined;
}

function parseTimeField(v: unknown, nowMs: number): number | undefined {
  if (v === undefined) return nowMs;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

/**
 * Reads one pino JSON line. `service` is used when the line has none (a captured child's
 * name); without it a line lacking `service` is an error. Throws {@link LogLineError}.
 *
 * @example parseLogJson('{"level":"warn","service":"relay","msg":"slow"}', 0).level // 40
 */
export function parseLogJson(line: string, nowMs: number, service?: string): LogRecord {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    throw new LogLineError('not JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new LogLineError('expected a JSON object');
  const r = o as Record<string, unknown>;
  const level = parseLevel(r['level']);
  if (level === undefined)
    throw new LogLineError(
      `level ${JSON.stringify(r['level'])} is not one of ${LEVELS.join(', ')} or a pino number`,
    );
  const timeMs = parseTimeField(r['time'], nowMs);
  if (timeMs === undefined)
    throw new LogLineError(
      `time ${JSON.stringify(r['time'])} is neither an ISO 8601 string nor epoch milliseconds`,
    );
  const svc = typeof r['service'] === 'string' && r['service'] !== '' ? r['service'] : service;
  if (svc === undefined) throw new LogLineError('no "service" field');
  const msg = r['msg'];
  const traceId = r['trace_id'];
  const spanId = r['span_id'];
  const fields: Record<string, unknown> = {};
  for (const k in r) if (!RESERVED.has(k)) fields[k] = r[k];
  return {
    timeMs,
    service: svc,
    level,
    msg: typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg),
    traceId: typeof traceId === 'string' && traceId !== '' ? traceId.toLowerCase() : undefined,
    spanId: typeof spanId === 'string' && spanId !== '' ? spanId.toLowerCase() : undefined,
    fields,
  };
}

/**
 * Reads a line a service wrote: pino JSON when it is, otherwise the line itself as an `info`
 * message of `service` (a stack trace, a banner). Never throws.
 *
 * @example parseCapturedLine('listening on 7000', 'relay-a', Date.now()).msg // 'listening on 7000'
 */
export function parseCapturedLine(line: string, service: string, nowMs: number): LogRecord {
  if (line.charCodeAt(0) === 123 /* { */) {
    try {
      return parseLogJson(line, nowMs, service);
    } catch {
      // not pino after all: kept as text below
    }
  }
  return { timeMs: nowMs, service, level: 30, msg: line, fields: {} };
}
