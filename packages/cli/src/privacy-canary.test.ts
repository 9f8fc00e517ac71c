/**
 * The privacy canary suite: 100,000 synthetic identifiers of every kind (peer IDs, keys in
 * every encoding, CIDs, hashes, IPv4/IPv6 in all forms, multiaddrs, e-mails) pushed
 * through every way data leaves a Canopy process — the logger (message, fields, nested
 * objects, child bindings, errors and stacks), spans through the real OpenTelemetry SDK and
 * OTLP/proto exporter to a loopback receiver, metric label attempts on every catalog metric
 * (then GET /metrics), and alert labels/annotations through the hub's notifier to the chat
 * stand-in (webhook, Discord, Slack). Every captured byte is scanned: zero may appear.
 * The false-positive count on ordinary log text is printed and bounded.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { allMetrics } from '@canopy/catalog';
import { Notifier, WebhookUrl, type NotifyAlert as Alert } from '@canopy/hub';
import { ChatStandIn } from '@canopy/hub/testing/chat-stand-in';
import { Registry, createScrubber, serveMetrics } from '@canopy/telemetry';
import { createLogger } from '@canopy/telemetry/logger';
import { ScrubSpanProcessor } from '@canopy/telemetry/tracing';
import {
  CANARY_KINDS,
  createLeakScanner,
  generateCanaries,
  type Canary,
} from '@canopy/telemetry/testing/canaries';
import { ordinaryLogLines } from '@canopy/telemetry/testing/log-corpus';
import { decodeTraces } from './testing/otlp-receiver.js';

const N = 100_000;
const SEED = 20261203;
const canaries = generateCanaries(N, SEED);
const scanner = createLeakScanner(canaries);
const scrubber = createScrubber();

/** Asserts that no secret of any canary is in `text`, naming the first few that are. */
function assertNoLeak(where: string, text: string): void {
  const found = scanner.scan(text);
  assert.deepEqual(
    found.slice(0, 5).map((c: Canary) => `${c.kind}: ${c.text}`),
    [],
    `${found.length} canaries leaked through ${where}`,
  );
}

/** Counts `<token>` replacements, so a path that dropped everything cannot pass. */
const tokens = (text: string): number =>
  (text.match(/<(?:peer|cid|hash|key|id|ip|host|email)>/g) ?? []).length;

describe(`privacy canaries (${N} identifiers, seed ${SEED})`, () => {
  it('cover every kind', () => {
    const kinds = new Set(canaries.map((c) => c.kind));
    assert.equal(kinds.size, Object.keys(CANARY_KINDS).length);
    assert.ok(kinds.size >= 39, `${kinds.size} kinds`);
    assert.ok(scanner.secrets >= N);
    // The scanner itself finds what is there.
    assert.equal(scanner.scan(canaries.map((c) => c.text).join('\n')).length, N);
  });

  it('logger: messages, fields, nested objects, child bindings, errors and stacks', () => {
    const out: string[] = [];
    const log = createLogger({
      service: 'relay',
      level: 'info',
      destination: { write: (s: string) => void out.push(s) },
    });
    // Every canary in a message and in fields at three depths; every fourth also in an
    // error (message and stack), every tenth in child bindings and an error as the message.
    for (let i = 0; i < N; i++) {
      const c = canaries[i]!.text;
      const fields = { peer: c, nested: { list: [{ addr: c }], byPeer: { [c]: 1 } } };
      if (i % 4 === 0)
        log.error({ ...fields, err: new Error(`handshake with ${c} failed`) }, 'dial %s', c);
      else log.warn(fields, 'dial %s failed', c);
      if (i % 10 === 0) log.child({ remote: c }).warn(new Error(`reset by ${c}`));
    }
    const text = out.join('');
    assert.equal(out.length, N + N / 10);
    assert.ok(tokens(text) > 4 * N, `${tokens(text)} tokens`);
    assertNoLeak('stdout', text);
  });

  it('logger in a real process: its stdout (the default destination, fd 1)', async () => {
    // The services' path: the service logger in a child process writing to its real stdout.
    const batch = canaries.slice(0, 5000);
    const code = [
      "import { createLogger } from '@canopy/services';",
      "import { createInterface } from 'node:readline';",
      "const log = createLogger('relay', 'info');",
      'for await (const c of createInterface({ input: process.stdin })) {',
      "  log.warn({ peer: c, nested: { at: [c] } }, 'dial %s failed', c);",
      '  log.error(new Error(`reset by ${c}`));',
      '}',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: new URL('..', import.meta.url).pathname,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, CANOPY_LOG_LEVEL: 'info', CANOPY_SCRUB_MODE: 'redact' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdin.end(batch.map((c) => c.text).join('\n') + '\n');
    const status = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    clearTimeout(timer);
    assert.equal(status, 0, Buffer.concat(err).toString());
    const text = Buffer.concat(out).toString();
    assert.equal(text.split('\n').filter((l) => l.startsWith('{')).length, 2 * batch.length);
    assert.ok(tokens(text) > 4 * batch.length, `${tokens(text)} tokens`);
    assertNoLeak('a child process stdout', text);
  });

  it('spans: names, attributes, events, exceptions, links, status through OTLP/proto', async () => {
    const bodies: Buffer[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new ScrubSpanProcessor(
          new BatchSpanProcessor(new OTLPTraceExporter({ url }), {
            maxQueueSize: 20_000,
            maxExportBatchSize: 1000,
            scheduledDelayMillis: 20,
          }),
          scrubber,
        ),
      ],
    });
    const tracer = provider.getTracer('canary');
    const perSpan = 8;
    const spans = N / perSpan;
    // One link target per 100 spans: links need a span context, not a span each.
    let link = tracer.startSpan('link-target');
    let targets = 1;
    try {
      for (let s = 0; s < spans; s++) {
        const c = (k: number): string => canaries[s * perSpan + k]!.text;
        if (s % 100 === 99) {
          link.end();
          link = tracer.startSpan('link-target');
          targets++;
        }
        const span = tracer.startSpan(`dial ${c(0)}`, {
          links: [{ context: link.spanContext(), attributes: { 'peer.addr': c(1) } }],
        });
        span.setAttributes({ 'net.peer.ip': c(2), 'p2p.peers': [c(3), 'self'] });
        span.addEvent(`block ${c(4)}`, { from: c(5) });
        span.recordException(new Error(`handshake with ${c(6)} failed`));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `peer ${c(7)} gone` });
        span.end();
        if (s % 2000 === 1999) await provider.forceFlush();
      }
      link.end();
      await provider.forceFlush();
    } finally {
      await provider.shutdown();
      await new Promise<void>((r) => server.close(() => r()));
    }
    const decoded = bodies.flatMap((b) => decodeTraces(b));
    assert.equal(decoded.length, spans + targets, 'every span reached the receiver');
    const named = decoded.filter((d) => d.name.startsWith('dial '));
    assert.ok(
      named.every((d) => tokens(d.name) >= 1),
      'span names carry a token',
    );
    assertNoLeak('OTLP bodies', Buffer.concat(bodies).toString('latin1'));
    assertNoLeak('decoded spans', JSON.stringify(decoded));
  });

  it('metrics: every label of every catalog metric, then GET /metrics', async () => {
    const registry = new Registry();
    const metrics = allMetrics().map((spec) => ({ spec, m: registry.register(spec) }));
    const labelled = metrics.filter(({ spec }) => Object.keys(spec.labels ?? {}).length > 0);
    assert.ok(labelled.length >= 5, `${labelled.length} labelled metrics`);
    for (let i = 0; i < N; i++) {
      const { spec, m } = labelled[i % labelled.length]!;
      const values: Record<string, string> = {};
      for (const name of Object.keys(spec.labels ?? {})) values[name] = canaries[i]!.text;
      const h = (m.labels as (v: Record<string, string>) => unknown)(values) as {
        inc?: (n?: number) => void;
        set?: (v: number) => void;
        observe?: (v: number) => void;
      };
      if (h.inc !== undefined) h.inc();
      else if (h.observe !== undefined) h.observe(0.01);
      else h.set?.(1);
    }
    const server = await serveMetrics(registry, { port: 0 });
    try {
      const port = (server.address() as AddressInfo).port;
      for (const accept of ['text/plain', 'application/openmetrics-text; version=1.0.0']) {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { accept } });
        const text = await res.text();
        assert.equal(res.status, 200);
        assert.match(text, /="other"/, 'unknown values folded into other');
        assertNoLeak(`/metrics (${accept})`, text);
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('alerts: labels and annotations through the notifier to webhook, Discord and Slack', async () => {
    const stand = await ChatStandIn.start();
    try {
      const delivery = { maxAttempts: 1, timeoutMs: 10_000 };
      const notifier = new Notifier({
        receivers: [
          { name: 'hook', kind: 'webhook', url: new WebhookUrl(`${stand.origin}/hook/ops`) },
          { name: 'discord', kind: 'discord', url: new WebhookUrl(stand.discordUrl()) },
          { name: 'slack', kind: 'slack', url: new WebhookUrl(stand.slackUrl()) },
        ],
        delivery,
        scrub: scrubber.string,
      });
      const perAlert = 5;
      const alerts: Alert[] = [];
      for (let a = 0; a < N / perAlert; a++) {
        const c = (k: number): string => canaries[a * perAlert + k]!.text;
        alerts.push({
          labels: { alertname: 'RelayDialFailures', service: 'relay', peer: c(0) },
          annotations: {
            summary: `dials to ${c(1)} fail`,
            description: `last from ${c(2)}; see ${c(3)}`,
            [c(4)]: 'key',
          },
          status: 'firing',
          startsAt: 1_790_000_000_000,
        });
      }
      const perGroup = 250;
      for (let g = 0; g * perGroup < alerts.length; g++) {
        const group = alerts.slice(g * perGroup, (g + 1) * perGroup);
        const r = await notifier.send('hook', {
          key: `{}:{peer="${group[0]!.labels['peer']}"}`,
          labels: { alertname: 'RelayDialFailures', peer: group[0]!.labels['peer']! },
          alerts: group,
        });
        assert.equal(r.ok, true, r.reason);
      }
      // Chat formats truncate long groups; a few small groups exercise their formatting.
      for (const receiver of ['discord', 'slack'])
        for (let g = 0; g < 20; g++) {
          const group = alerts.slice(g * 3, g * 3 + 3);
          const r = await notifier.send(receiver, {
            key: `g${g}`,
            labels: group[0]!.labels,
            alerts: group,
          });
          assert.equal(r.ok, true, r.reason);
        }
      const text = JSON.stringify(stand.received.map((x) => x.body));
      assert.equal(stand.received.filter((x) => x.violations.length > 0).length, 0);
      assert.ok(tokens(text) > N, `${tokens(text)} tokens`);
      assertNoLeak('alert payloads', text);
    } finally {
      await stand.close();
    }
  });

  it('false positives on ordinary log text are counted (and stay near zero)', () => {
    const lines = ordinaryLogLines(N, SEED);
    let changed = 0;
    for (const l of lines) if (scrubber.string(l) !== l) changed++;
    console.log(`# scrubber false positives: ${changed} of ${lines.length} ordinary log lines`);
    assert.ok(changed <= N / 1000, `${changed} false positives`);
  });
});
