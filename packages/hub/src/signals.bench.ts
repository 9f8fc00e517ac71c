/**
 * Ingest and query speed of the trace and log stores: OTLP protobuf requests of 512 spans
 * (128 traces of 4 spans, as a batch span processor sends them) decoded and stored; pino
 * lines parsed and appended in batches of 1,000 (as `canopy up`'s feed writes them); then
 * the queries the web views make. Files in a temporary folder, removed at the end.
 *
 * Run: `node packages/hub/dist/signals.bench.js`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ProtoWriter } from './wire/protobuf.js';
import { decodeTracesProto, TraceStore } from './traces/index.js';
import { LogStore, parseCapturedLine } from './logs/index.js';

const REQUESTS = 200;
const LINES = 200_000;

function request(t0: bigint): Uint8Array {
  const w = new ProtoWriter();
  w.message(1, (rs) => {
    rs.message(1, (r) =>
      r.message(1, (kv) => kv.string(1, 'service.name').message(2, (v) => v.string(1, 'relay'))),
    );
    rs.message(2, (ss) => {
      for (let t = 0; t < 128; t++) {
        const trace = randomBytes(16);
        const root = randomBytes(8);
        for (let s = 0; s < 4; s++)
          ss.message(2, (sp) => {
            sp.bytes(1, trace).bytes(2, s === 0 ? root : randomBytes(8));
            if (s > 0) sp.bytes(4, root);
            sp.string(5, s === 0 ? 'relay fan-out' : 'storage write batch').uint(6, 2);
            sp.fixed64(7, t0 + BigInt(s * 1000));
            sp.fixed64(8, t0 + BigInt(s * 1000 + 500_000 + t * 10_000));
            sp.message(9, (kv) => kv.string(1, 'actor').message(2, (v) => v.string(1, 'gossip')));
            sp.message(9, (kv) => kv.string(1, 'events').message(2, (v) => v.int64(3, 12)));
          });
      }
    });
  });
  return w.finish().slice();
}

function time(f: () => unknown): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

const dir = mkdtempSync(join(tmpdir(), 'canopy-signals-bench-'));
try {
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const bodies = Array.from({ length: REQUESTS }, () => request(t0));
  const spans = REQUESTS * 512;
  const decodeMs = time(() => {
    for (const b of bodies) decodeTracesProto(b, 10_000);
  });
  const traces = new TraceStore(join(dir, 'traces.sqlite'));
  const storeMs = time(() => {
    for (const b of bodies) traces.add(decodeTracesProto(b, 10_000));
  });
  const listMs = time(() => traces.search({ service: 'relay', minDurationMs: 1 }));
  const id = traces.search({ limit: 1 })[0]!.traceId;
  const oneMs = time(() => traces.trace(id));
  process.stdout.write(
    `traces: ${spans} spans in ${REQUESTS} protobuf requests of ${bodies[0]!.length} bytes\n` +
      `  decode only        ${Math.round((spans / decodeMs) * 1000)} spans/s\n` +
      `  decode + store     ${Math.round((spans / storeMs) * 1000)} spans/s (${traces.stats.traces} traces kept, ${traces.stats.tracesEvicted} evicted)\n` +
      `  list (service, min_duration) ${listMs.toFixed(1)} ms; one trace ${oneMs.toFixed(1)} ms\n`,
  );
  traces.close();

  const logs = new LogStore(join(dir, 'logs.sqlite'));
  const now = Date.now();
  const line = (i: number): string =>
    JSON.stringify({
      level: i % 50 === 0 ? 'warn' : 'info',
      time: now + i,
      service: i % 3 === 0 ? 'storage' : 'relay',
      msg: `gossip batch ${i} forwarded`,
      peers: i % 97,
      trace_id: i % 10 === 0 ? randomBytes(16).toString('hex') : undefined,
    });
  const batches = Array.from({ length: LINES / 1000 }, (_, b) =>
    Array.from({ length: 1000 }, (_, i) => line(b * 1000 + i)),
  );
  const appendMs = time(() => {
    for (const b of batches) logs.append(b.map((l) => parseCapturedLine(l, 'relay-a', now)));
  });
  const q = (query: Parameters<LogStore['search']>[0]): string =>
    `${time(() => logs.search(query)).toFixed(1)} ms`;
  process.stdout.write(
    `logs: ${LINES} pino lines in batches of 1000\n` +
      `  parse + append     ${Math.round((LINES / appendMs) * 1000)} lines/s\n` +
      `  newest 200         ${q({})}; service + level ≥ warn ${q({ service: 'storage', minLevel: 40 })}\n` +
      `  text: every line   ${q({ query: 'gossip' })}; a phrase ${q({ query: '"batch 123456"' })}; ` +
      `text + service ${q({ query: 'forwarded', service: 'storage' })}\n`,
  );
  logs.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
