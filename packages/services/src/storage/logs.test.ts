import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { newIdentity } from '../protocol/keys.js';
import { eventId, signEvent } from '../protocol/event.js';
import {
  postEvents,
  startFakeReplay,
  storedCount,
  tempDir,
  waitFor,
  WAIT_MS,
} from './test-support.js';

const alice = newIdentity();
const mallory = newIdentity();

// Runs storage in a child process (its logs go to stdout) until stdin closes.
const CHILD = `
const { startStorage } = await import(process.env.SERVICE_URL);
const svc = await startStorage({
  listen: { host: '127.0.0.1', port: 0 },
  metrics: { host: '127.0.0.1', port: 0 },
  db: process.env.DB,
  replayUrl: process.env.REPLAY_URL,
  backfillIntervalMs: 20,
});
process.stderr.write(JSON.stringify({ url: svc.url }) + '\\n');
process.stdin.resume();
process.stdin.on('end', () => void svc.stop().then(() => process.exit(0)));
`;

test('logs: counts and reasons only — no key, event id, body, signature or address', async (ctx) => {
  const t = tempDir();
  ctx.after(t.cleanup);
  const secret = (seq: number): string => `secret-body-${seq}-${alice.publicKey.slice(0, 8)}`;
  const evs = [1, 2, 3, 4].map((s) => signEvent(alice, 'logs', s, secret(s)));
  const forged = { ...signEvent(mallory, 'logs', 5, secret(5)), author: alice.publicKey };
  const replay = await startFakeReplay([...evs]);
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: {
      ...process.env,
      CANOPY_LOG_LEVEL: 'debug',
      SERVICE_URL: new URL('./service.js', import.meta.url).href,
      DB: join(t.dir, 'logs.db'),
      REPLAY_URL: replay.url,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await waitFor('the child to listen', () => stderr.includes('"url"'));
    const url = (JSON.parse(stderr.split('\n')[0]!) as { url: string }).url;

    await postEvents(url, { events: [evs[0], evs[2]] }); // gap at 2, filled by backfill
    await postEvents(url, { events: [evs[3], forged] }); // refused: bad signature
    await postEvents(url, { events: [{ ...evs[3], seq: -1 }] }); // refused: malformed
    await waitFor('backfill', async () => (await storedCount(url)) === 3);
    await replay.close(); // replay goes away: a logged failure
    await postEvents(url, { events: [evs[3], signEvent(alice, 'logs', 6, secret(6))] }); // gap at 5
    await waitFor('a logged replay failure', () => stdout.includes('replay request failed'));

    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
    assert.equal(await exited, 0, stderr);
    clearTimeout(timer);

    const lines = stdout.trim().split('\n');
    const msgs = lines.map((l) => (JSON.parse(l) as { msg: string; service: string }).msg);
    for (const m of ['storage listening', 'batch refused', 'backfill round', 'storage stopped'])
      assert.ok(msgs.includes(m), `logged "${m}": ${msgs.join(' | ')}`);
    assert.ok(msgs.some((m) => m.startsWith('backfill: replay request failed')));
    const reasons = lines.map((l) => (JSON.parse(l) as { reason?: string }).reason);
    for (const r of ['bad_signature', 'malformed', 'unreachable'])
      assert.ok(reasons.includes(r), `logged reason ${r}`);
    const forbidden = [
      alice.publicKey,
      mallory.publicKey,
      '127.0.0.1',
      'secret-body',
      ...evs.map((e) => eventId(e)),
      ...evs.map((e) => e.sig),
    ];
    for (const f of forbidden) assert.ok(!stdout.includes(f), `logs contain ${f.slice(0, 12)}…`);
  } finally {
    child.kill('SIGKILL');
    await replay.close();
  }
});
