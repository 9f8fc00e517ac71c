/**
 * The hub's stores beyond metrics — traces (`<data>/traces.sqlite`), logs
 * (`<data>/logs.sqlite`) and exemplars (in memory) — with their HTTP endpoints, opened
 * together so `startHub` wires them in a few lines.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Labels } from './model.js';
import type { ParsedExemplar } from './scrape/index.js';
import { sendJson } from './api/reply.js';
import {
  otlpTraceReceiver,
  traceApi,
  TraceStore,
  type OtlpReceiverOptions,
  type OtlpReceiverStats,
  type TraceStoreOptions,
} from './traces/index.js';
import { logApi, LogStore, type LogStoreOptions } from './logs/index.js';
import { exemplarApi, ExemplarStore } from './exemplars/index.js';

/** `HubOptions.traces`: bounds of the trace store and of OTLP requests; `false` turns traces off. */
export type TracesOptions = (TraceStoreOptions & OtlpReceiverOptions) | false;

/** `HubOptions.logs`: bounds of the log store and of pushes; `false` turns logs off. */
export type LogsOptions = (LogStoreOptions & { readonly maxPushBytes?: number }) | false;

/** `HubOptions.exemplars`: how many exemplars are kept (default 100,000); `false` turns them off. */
export type ExemplarsOptions = { readonly max?: number } | false;

/** The counters `renderHubMetrics` shows about traces, logs and exemplars. */
export interface SignalStats {
  readonly receiver: OtlpReceiverStats;
  readonly traces: TraceStore | undefined;
  readonly logs: LogStore | undefined;
  readonly logPush: { pushRejected: number };
  readonly exemplars: ExemplarStore | undefined;
}

/** The opened stores and their endpoints. */
export interface Signals {
  readonly traces: TraceStore | undefined;
  readonly logs: LogStore | undefined;
  readonly exemplars: ExemplarStore | undefined;
  readonly stats: SignalStats;
  /** For `ScraperOptions.exemplars`. */
  readonly onExemplars:
    ((target: Labels, list: readonly ParsedExemplar[], t: number) => void) | undefined;
  /** Serves `/v1/traces`, the trace, log and exemplar API; false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  close(): void;
}

const NOT_ON = (what: string, option: string) => (res: ServerResponse) =>
  sendJson(res, 404, {
    status: 'error',
    errorType: 'not_found',
    error: `${what} are turned off in this hub (${option}: false)`,
  });

/** Whether a request URL may be one of the signal endpoints (each handler checks exactly). */
const isSignalUrl = (url: string): boolean =>
  url.startsWith('/api/v1/trace') ||
  url.startsWith('/api/v1/logs') ||
  url.startsWith('/api/v1/query_exemplars') ||
  url.startsWith('/v1/traces');

/**
 * Opens the trace and log stores in `dataDir` and the exemplar store, each unless its
 * option is `false`.
 *
 * @example const s = openSignals('.canopy', {}); // traces, logs and exemplars on, default bounds
 */
export function openSignals(
  dataDir: string,
  o: { traces?: TracesOptions; logs?: LogsOptions; exemplars?: ExemplarsOptions },
): Signals {
  const receiver: OtlpReceiverStats = { spansReceived: 0, requestsRejected: 0 };
  const logPush = { pushRejected: 0 };
  const traces =
    o.traces === false ? undefined : new TraceStore(join(dataDir, 'traces.sqlite'), o.traces);
  let logs: LogStore | undefined;
  try {
    logs = o.logs === false ? undefined : new LogStore(join(dataDir, 'logs.sqlite'), o.logs);
  } catch (e) {
    traces?.close();
    throw e;
  }
  const exemplars =
    o.exemplars === false ? undefined : new ExemplarStore(o.exemplars?.max ?? 100_000);
  const handlers: Array<(req: IncomingMessage, res: ServerResponse) => boolean> = [];
  if (traces !== undefined) {
    handlers.push(otlpTraceReceiver(traces, receiver, o.traces === false ? {} : (o.traces ?? {})));
    handlers.push(traceApi(traces));
  }
  if (logs !== undefined)
    handlers.push(
      logApi(logs, {
        stats: logPush,
        ...(o.logs !== false && o.logs?.maxPushBytes !== undefined
          ? { maxPushBytes: o.logs.maxPushBytes }
          : {}),
      }),
    );
  if (exemplars !== undefined) handlers.push(exemplarApi(exemplars));
  const tracesOff = NOT_ON('traces', 'traces');
  const logsOff = NOT_ON('logs', 'logs');
  return {
    traces,
    logs,
    exemplars,
    stats: { receiver, traces, logs, logPush, exemplars },
    onExemplars:
      exemplars === undefined ? undefined : (t, list, ms) => exemplars.addScrape(t, list, ms),
    handle(req, res) {
      // Every hub request passes here first: the rest (queries, /metrics) leave at once,
      // without each signal handler parsing the URL.
      if (!isSignalUrl(req.url ?? '/')) return false;
      for (const h of handlers) if (h(req, res)) return true;
      const path = (req.url ?? '/').split('?', 1)[0]!;
      if (
        traces === undefined &&
        (path === '/v1/traces' ||
          path === '/api/v1/trace_services' ||
          path.startsWith('/api/v1/traces'))
      ) {
        tracesOff(res);
        return true;
      }
      if (logs === undefined && path.startsWith('/api/v1/logs')) {
        logsOff(res);
        return true;
      }
      return false;
    },
    close() {
      traces?.close();
      logs?.close();
    },
  };
}
