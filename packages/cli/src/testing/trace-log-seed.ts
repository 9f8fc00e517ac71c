/**
 * A small, known set of traces and log lines for the trace and log views' browser tests,
 * sent to a hub the way services send them: spans as an OTLP/JSON export to `/v1/traces`,
 * log lines as pino NDJSON to `/api/v1/logs/push`. The traces cover the waterfall's odd
 * cases (an error span, an event, a child whose clock runs early, a span whose parent never
 * arrived); the lines cover every level, trace links and a word to search for. Loopback only.
 * @module
 */

/** One span of the seed, times relative to its trace's start (ms). */
export interface SeedSpan {
  readonly spanId: string;
  readonly parent: string | null;
  readonly service: string;
  readonly name: string;
  readonly at: number;
  readonly ms: number;
  readonly error?: string;
  readonly event?: string;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

/** One trace of the seed. */
export interface SeedTrace {
  readonly traceId: string;
  /** Start, Unix ms. */
  readonly startMs: number;
  readonly spans: readonly SeedSpan[];
}

/** The seed: traces (slowest first) and log lines (pino objects). */
export interface Seed {
  readonly traces: readonly SeedTrace[];
  readonly lines: readonly Readonly<Record<string, unknown>>[];
}

/** Trace IDs of the seed, slowest first. */
export const SEED_TRACE_IDS = {
  slow: '5eed0000000000000000000000000001',
  mid: '5eed0000000000000000000000000002',
  fast: '5eed0000000000000000000000000003',
} as const;

/**
 * The seed around `nowMs`: three traces (900, 300 and 40 ms) a few minutes back, and log
 * lines, four of them of the slow trace.
 *
 * @example const seed = buildSeed(Date.now()); seed.traces[0]?.spans.length // 7
 */
export function buildSeed(nowMs: number): Seed {
  const t0 = nowMs - 5 * 60_000;
  const { slow, mid, fast } = SEED_TRACE_IDS;
  const traces: SeedTrace[] = [
    {
      traceId: slow,
      startMs: t0,
      spans: [
        {
          spanId: 'a000000000000001',
          parent: null,
          service: 'relay',
          name: 'gossip.forward',
          at: 0,
          ms: 900,
          attributes: { 'peer.count': 3, 'gossip.topic': 'events' },
        },
        {
          spanId: 'a000000000000002',
          parent: 'a000000000000001',
          service: 'storage',
          name: 'storage.write',
          at: 100,
          ms: 600,
          event: 'retry',
          attributes: { 'db.system': 'sqlite', 'events.count': 12 },
        },
        {
          spanId: 'a000000000000003',
          parent: 'a000000000000002',
          service: 'storage',
          name: 'sqlite.insert',
          at: 150,
          ms: 500,
        },
        {
          spanId: 'a000000000000004',
          parent: 'a000000000000001',
          service: 'relay',
          name: 'peer.send',
          at: 750,
          ms: 100,
          error: 'peer went away',
        },
        // Replay's clock runs 20 ms early: its span starts before its parent's.
        {
          spanId: 'a000000000000005',
          parent: 'a000000000000002',
          service: 'replay',
          name: 'replay.apply',
          at: 80,
          ms: 60,
        },
        // Its parent never reached the hub.
        {
          spanId: 'a000000000000006',
          parent: 'ffffffffffffffff',
          service: 'replay',
          name: 'replay.ack',
          at: 820,
          ms: 30,
        },
        {
          spanId: 'a000000000000007',
          parent: 'a000000000000004',
          service: 'relay',
          name: 'ws.write',
          at: 760,
          ms: 20,
        },
      ],
    },
    {
      traceId: mid,
      startMs: t0 + 30_000,
      spans: [
        {
          spanId: 'b000000000000001',
          parent: null,
          service: 'relay',
          name: 'dial',
          at: 0,
          ms: 300,
        },
        {
          spanId: 'b000000000000002',
          parent: 'b000000000000001',
          service: 'relay',
          name: 'ws.upgrade',
          at: 20,
          ms: 250,
        },
      ],
    },
    {
      traceId: fast,
      startMs: t0 + 60_000,
      spans: [
        {
          spanId: 'c000000000000001',
          parent: null,
          service: 'storage',
          name: 'storage.write',
          at: 0,
          ms: 40,
        },
      ],
    },
  ];
  const line = (
    dt: number,
    level: string,
    service: string,
    msg: string,
    extra: Record<string, unknown> = {},
  ) => ({
    level,
    time: t0 + dt,
    service,
    msg,
    ...extra,
  });
  const lines = [
    line(10, 'info', 'relay', 'gossip forwarded to 3 peers', {
      trace_id: slow,
      span_id: 'a000000000000001',
      topic: 'events',
    }),
    line(400, 'warn', 'storage', 'write slow, retrying', {
      trace_id: slow,
      span_id: 'a000000000000002',
      attempt: 2,
    }),
    line(650, 'error', 'storage', 'write failed: database is locked', {
      trace_id: slow,
      span_id: 'a000000000000003',
    }),
    line(800, 'warn', 'relay', 'peer went away during send', {
      trace_id: slow,
      span_id: 'a000000000000004',
    }),
    line(30_100, 'info', 'relay', 'dial ok', { trace_id: mid, span_id: 'b000000000000001' }),
    line(45_000, 'debug', 'replay', 'applied a batch of 12 events'),
    line(50_000, 'warn', 'relay', 'dial timeout, will retry', { reason: 'timeout' }),
    line(70_000, 'info', 'storage', 'compaction done'),
  ];
  return { traces, lines };
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const attr = (key: string, v: string | number | boolean) => ({
  key,
  value:
    typeof v === 'string'
      ? { stringValue: v }
      : typeof v === 'boolean'
        ? { boolValue: v }
        : Number.isInteger(v)
          ? { intValue: String(v) }
          : { doubleValue: v },
});

/**
 * The seed's spans as one OTLP/JSON ExportTraceServiceRequest (a resource per service).
 *
 * @example const body = JSON.stringify(otlpJson(buildSeed(Date.now()).traces))
 */
export function otlpJson(traces: readonly SeedTrace[]): unknown {
  const byService = new Map<string, unknown[]>();
  for (const t of traces)
    for (const s of t.spans) {
      let list = byService.get(s.service);
      if (list === undefined) byService.set(s.service, (list = []));
      const start = t.startMs + s.at;
      list.push({
        traceId: t.traceId,
        spanId: s.spanId,
        ...(s.parent !== null ? { parentSpanId: s.parent } : {}),
        name: s.name,
        kind: s.parent === null ? 2 : 3,
        startTimeUnixNano: nanos(start),
        endTimeUnixNano: nanos(start + s.ms),
        attributes: Object.entries(s.attributes ?? {}).map(([k, v]) => attr(k, v)),
        events:
          s.event !== undefined
            ? [
                {
                  name: s.event,
                  timeUnixNano: nanos(start + s.ms / 2),
                  attributes: [attr('attempt', 2)],
                },
              ]
            : [],
        status: s.error !== undefined ? { code: 2, message: s.error } : { code: 1 },
      });
    }
  return {
    resourceSpans: [...byService].map(([service, spans]) => ({
      resource: { attributes: [attr('service.name', service)] },
      scopeSpans: [{ scope: { name: 'canopy-test' }, spans }],
    })),
  };
}

/**
 * Sends the seed to a hub: the spans to `/v1/traces`, the lines to `/api/v1/logs/push`.
 * Throws with the hub's answer when either is refused.
 *
 * @example await sendSeed(hub.url, buildSeed(Date.now()))
 */
export async function sendSeed(hubUrl: string, seed: Seed): Promise<void> {
  const t = await fetch(`${hubUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(otlpJson(seed.traces)),
  });
  if (t.status !== 200) throw new Error(`POST /v1/traces: HTTP ${t.status} ${await t.text()}`);
  const l = await fetch(`${hubUrl}/api/v1/logs/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: seed.lines.map((x) => JSON.stringify(x)).join('\n') + '\n',
  });
  const answer = (await l.json()) as { data?: { accepted?: number; rejected?: number } };
  if (l.status !== 200 || answer.data?.accepted !== seed.lines.length)
    throw new Error(`POST /api/v1/logs/push: HTTP ${l.status} ${JSON.stringify(answer)}`);
}
