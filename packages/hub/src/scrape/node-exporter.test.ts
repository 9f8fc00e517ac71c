// Against the real node_exporter (Debian's prometheus-node-exporter): its whole output
// parses, it scrapes as a target, and the built-in host collector produces the same series
// for the catalog's host metrics. Skipped when the binary is missing, unless CI is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { host as catalogHost } from '@canopy/catalog';
import { parseScrapeConfig } from './config.js';
import { fetchBody } from './fetch-body.js';
import { collectHost } from './host.js';
import { parseExposition, parseText, type Exposition } from './parse.js';
import { Scraper } from './scraper.js';
import { MemAppender } from './testing-appender.js';

function findBinary(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':'))
    for (const name of ['prometheus-node-exporter', 'node_exporter']) {
      const p = join(dir, name);
      if (dir !== '' && existsSync(p)) return p;
    }
  return undefined;
}

const binary = findBinary();
const skip =
  binary === undefined && process.env['CI'] === undefined
    ? 'node_exporter not installed (apt-get install prometheus-node-exporter)'
    : false;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Label sets of `name`, as sorted JSON strings. */
function series(e: Exposition, name: string): string[] {
  return e.samples
    .filter((s) => s.name === name)
    .map((s) => JSON.stringify(Object.entries(s.labels).sort()))
    .sort();
}

test('the real node_exporter output parses and matches the host collector', { skip }, async () => {
  assert.ok(binary !== undefined, 'CI is set but node_exporter is not installed');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const child: ChildProcess = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    let body: { body: Buffer; contentType: string | undefined } | undefined;
    const deadline = Date.now() + 10_000;
    while (body === undefined && child.exitCode === null && Date.now() < deadline) {
      try {
        body = await fetchBody(new URL(url), { timeoutMs: 2000, bodyLimit: 0 });
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.ok(body !== undefined, 'node_exporter never answered');
    const theirs = parseExposition(body.body.toString('utf8'), body.contentType);
    assert.ok(theirs.samples.length > 100, `${theirs.samples.length} samples`);
    assert.equal(theirs.metadata.get('node_cpu_seconds_total')?.type, 'counter');
    assert.equal(theirs.metadata.get('go_gc_duration_seconds')?.type, 'summary');

    // every catalog host metric is there, with the labels the catalog says
    for (const m of catalogHost) {
      const s = theirs.samples.filter((x) => x.name === m.name);
      assert.ok(s.length > 0, m.name);
      for (const x of s)
        assert.deepEqual(Object.keys(x.labels).sort(), [...m.labels].sort(), m.name);
      assert.equal(theirs.metadata.get(m.name)?.type, m.type, m.name);
    }

    // the built-in collector reports the same series
    const ours = parseText(await collectHost());
    for (const m of catalogHost)
      assert.deepEqual(series(ours, m.name), series(theirs, m.name), m.name);
    const value = (e: Exposition, name: string): number =>
      e.samples.find((x) => x.name === name)!.value;
    assert.equal(
      value(ours, 'node_memory_MemTotal_bytes'),
      value(theirs, 'node_memory_MemTotal_bytes'),
    );
    assert.equal(
      value(ours, 'node_memory_SwapTotal_bytes'),
      value(theirs, 'node_memory_SwapTotal_bytes'),
    );
    assert.equal(
      value(ours, 'node_filesystem_size_bytes'),
      value(theirs, 'node_filesystem_size_bytes'),
    );

    // and it scrapes as a target
    const app = new MemAppender();
    const scraper = new Scraper(app, parseScrapeConfig({ targets: [{ url, service: 'host' }] }));
    try {
      await scraper.scrapeNow();
      const st = scraper.targets()[0]!;
      assert.equal(st.lastError, '');
      assert.equal(st.health, 'up');
      assert.ok(st.samples > 100);
      assert.equal(
        app.find({ __name__: 'node_load1', service: 'host', instance: `127.0.0.1:${port}` }).length,
        1,
      );
    } finally {
      await scraper.stop();
    }
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
