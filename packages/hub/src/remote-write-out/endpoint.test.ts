/**
 * An endpoint against a stand-in for a hosted receiver (Grafana Cloud / Mimir, which can't be
 * reached from here): it checks the remote_write 1.0 contract on every request (method,
 * headers, snappy, WriteRequest) and answers what each test scripts — 429 with Retry-After,
 * 503, 400 — so the retry and drop rules can be seen. Real receivers (VictoriaMetrics,
 * Prometheus) are in the CLI's remote-write e2e test.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWriteRequest } from '../remote-write/write-request.js';
import { isStale, STALE_NAN, type Labels } from '../model.js';
import { RemoteWriteSchema, resolveRemoteWrite } from './config.js';
import { RemoteWriter, RemoteWriteConfigError } from './remote-writer.js';
import { retryAfterMs } from './endpoint.js';

const require = createRequire(import.meta.url);
const snappy = require('snappyjs') as { uncompress(b: Uint8Array): Uint8Array };
const root = mkdtempSync(join(tmpdir(), 'canopy-rw-endpoint-'));
const servers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of servers) await close();
  rmSync(root, { recursive: true, force: true });
});

interface Received {
  auth: string | undefined;
  samples: { labels: Labels; t: number; v: number }[];
}

/** A receiver answering `script` in turn (then 204), recording what it stored. */
async function standIn(script: { status: number; headers?: Record<string, string> }[]) {
  const stored: Received[] = [];
  const statuses: number[] = [];
  const problems: string[] = [];
  const srv = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const h = req.headers;
      if (req.method !== 'POST') problems.push(`method ${req.method}`);
      if (h['content-encoding'] !== 'snappy')
        problems.push(`content-encoding ${h['content-encoding']}`);
      if (h['content-type'] !== 'application/x-protobuf')
        problems.push(`content-type ${h['content-type']}`);
      if (h['x-prometheus-remote-write-version'] !== '0.1.0')
        problems.push(`version ${h['x-prometheus-remote-write-version']}`);
      const wr = decodeWriteRequest(snappy.uncompress(Buffer.concat(chunks)));
      const next = script.shift() ?? { status: 204 };
      statuses.push(next.status);
      if (next.status < 300) {
        const samples = wr.timeseries.flatMap((s) =>
          Array.from(s.t, (t, i) => ({ labels: s.labels, t, v: s.v[i]! })),
        );
        stored.push({ auth: h.authorization, samples });
      }
      res.writeHead(next.status, next.headers ?? {});
      res.end(next.status < 300 ? '' : 'scripted refusal');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  servers.push(() => new Promise<void>((r) => srv.close(() => r())));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/api/prom/push`,
    stored,
    statuses,
    problems,
    close: () => new Promise<void>((r) => (srv.listening ? srv.close(() => r()) : r())),
  };
}

function writer(dir: string, endpoint: Record<string, unknown>, warnings: string[] = []) {
  return new RemoteWriter(
    resolveRemoteWrite(
      RemoteWriteSchema.parse([
        { name: 'cloud', queue: { min_backoff: '10ms', max_backoff: '50ms' }, ...endpoint },
      ]),
    ),
    dir,
    { warn: (msg, f) => warnings.push(`${msg} ${JSON.stringify(f)}`) },
  );
}

/** Appends `n` samples of `up` (and one staleness marker) through a tapped appender. */
function feed(w: RemoteWriter, n: number, t0: number): void {
  const inner = { append: () => true, commit: () => {} };
  const app = w.tap(inner);
  for (let i = 0; i < n; i++) app.append({ __name__: 'up', job: 'relay' }, t0 + i * 1000, 1);
  app.append({ __name__: 'relay_peers_connected', job: 'relay' }, t0, STALE_NAN);
  app.append({ __name__: 'go_goroutines', job: 'relay' }, t0, 5);
  app.commit();
}

async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('sends remote_write 1.0 with bearer token; a staleness marker stays bit-exact', async () => {
  const s = await standIn([]);
  const token = join(root, 'token');
  writeFileSync(token, 's3cret\n');
  const w = writer(join(root, 'ok'), {
    url: s.url,
    bearer_token_file: token,
    headers: { 'X-Scope-OrgID': 'canopy' },
  });
  try {
    w.start();
    feed(w, 5, 1_700_000_000_000);
    const e = w.endpoints[0]!;
    await until(() => e.stats.samplesSent === 6);
    assert.deepEqual(s.problems, []);
    assert.equal(s.stored[0]!.auth, 'Bearer s3cret');
    const samples = s.stored.flatMap((r) => r.samples);
    assert.equal(samples.length, 6);
    assert.ok(isStale(samples.find((x) => x.labels['__name__'] === 'relay_peers_connected')!.v));
    // Not in the catalog: counted, not sent.
    assert.equal(e.stats.dropped.not_in_catalog, 1);
    assert.equal(e.queue.pendingSamples, 0);
    assert.match(
      w.renderMetrics(),
      /canopy_hub_remote_write_samples_sent_total\{remote="cloud"\} 6\n/,
    );
  } finally {
    await w.stop();
    await s.close();
  }
});

test('429 and 503 are retried (Retry-After honoured); nothing is lost', async () => {
  const s = await standIn([
    { status: 429, headers: { 'Retry-After': '1' } },
    { status: 503 },
    { status: 500 },
  ]);
  const pw = join(root, 'pw');
  writeFileSync(pw, 'hunter2');
  const w = writer(join(root, 'retry'), {
    url: s.url,
    basic_auth: { username: 'u', password_file: pw },
  });
  try {
    w.start();
    const started = Date.now();
    feed(w, 10, 1_700_000_000_000);
    const e = w.endpoints[0]!;
    await until(() => e.stats.samplesSent === 11);
    assert.deepEqual(s.statuses, [429, 503, 500, 204]);
    assert.ok(Date.now() - started >= 1000, 'waited for Retry-After: 1');
    assert.equal(e.stats.retries, 3);
    assert.equal(e.stats.samplesFailed, 33);
    assert.equal(s.stored[0]!.auth, 'Basic ' + Buffer.from('u:hunter2').toString('base64'));
  } finally {
    await w.stop();
    await s.close();
  }
});

test('a 400 drops the batch for good, counted and logged without secrets', async () => {
  const s = await standIn([{ status: 400 }]);
  const token = join(root, 'token400');
  writeFileSync(token, 'tok-400');
  const warnings: string[] = [];
  const w = writer(join(root, 'rejected'), { url: s.url, bearer_token_file: token }, warnings);
  try {
    w.start();
    feed(w, 3, 1_700_000_000_000);
    const e = w.endpoints[0]!;
    await until(() => e.stats.dropped.rejected === 4);
    feed(w, 2, 1_700_000_100_000);
    await until(() => e.stats.samplesSent === 3);
    assert.equal(e.stats.retries, 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /refused a batch; it is dropped.*HTTP 400: scripted refusal/);
    assert.doesNotMatch(warnings[0]!, /tok-400/);
    assert.match(
      w.renderMetrics(),
      /samples_dropped_total\{remote="cloud",reason="rejected"\} 4\n/,
    );
  } finally {
    await w.stop();
    await s.close();
  }
});

test('what an endpoint has not taken is sent after a restart', async () => {
  const dir = join(root, 'restart');
  const w1 = writer(dir, { url: 'http://127.0.0.1:9/nowhere' });
  feed(w1, 7, 1_700_000_000_000); // never started: queued only
  await w1.stop();
  const s = await standIn([]);
  const w2 = writer(dir, { url: s.url });
  try {
    assert.equal(w2.endpoints[0]!.queue.pendingSamples, 8);
    w2.start();
    await until(() => w2.endpoints[0]!.stats.samplesSent === 8);
  } finally {
    await w2.stop();
    await s.close();
  }
});

test('an unreadable secret file refuses the start, naming the endpoint and the file', () => {
  assert.throws(
    () =>
      writer(join(root, 'nosecret'), {
        url: 'http://127.0.0.1:9/',
        bearer_token_file: join(root, 'missing'),
      }),
    (e: Error) =>
      e instanceof RemoteWriteConfigError &&
      /remote_write "cloud" \(http:\/\/127\.0\.0\.1:9\/\): bearer_token_file: cannot read .*missing \(ENOENT\): create it or fix the path/.test(
        e.message,
      ),
  );
  const empty = join(root, 'empty');
  writeFileSync(empty, '\n');
  assert.throws(
    () =>
      writer(join(root, 'nosecret2'), {
        url: 'http://127.0.0.1:9/',
        basic_auth: { username: 'u', password_file: empty },
      }),
    /basic_auth\.password_file: .*empty is empty: put the secret in it/,
  );
});

test('Retry-After in seconds and as an HTTP date', () => {
  assert.equal(retryAfterMs('7'), 7000);
  assert.equal(retryAfterMs(new Date(1_000_000 + 3000).toUTCString(), 1_000_000), 3000);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(null), undefined);
});

test('samples that cannot be queued are counted and logged, and the commit still succeeds', async () => {
  const warnings: string[] = [];
  const w = writer(join(root, 'closed'), { url: 'http://127.0.0.1:9/' }, warnings);
  await w.stop(); // the queue is closed: pushing fails
  let committed = false;
  const app = w.tap({ append: () => true, commit: () => void (committed = true) });
  app.append({ __name__: 'up', job: 'relay' }, 1_700_000_000_000, 1);
  app.commit();
  assert.equal(committed, true);
  assert.equal(w.endpoints[0]!.stats.dropped.queue_error, 1);
  assert.match(warnings[0]!, /could not queue samples; they are dropped/);
});
