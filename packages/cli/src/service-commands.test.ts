import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './cli.js';

async function canopy(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

const L = '127.0.0.1:0';
const RELAY = 'ws://127.0.0.1:1';

const badArgs: Array<[string[], RegExp]> = [
  // relay
  [['relay'], /relay: --listen is required/],
  [['relay', '--listen', L], /relay: --metrics is required/],
  [
    ['relay', '--listen', '127.0.0.1', '--metrics', L],
    /relay: --listen: expected HOST:PORT \(e\.g\. 127\.0\.0\.1:7000\), got "127\.0\.0\.1"/,
  ],
  [['relay', '--listen', L, '--metrics', 'localhost:99999'], /--metrics: expected HOST:PORT/],
  [['relay', '--listen', ':7000', '--metrics', L], /--listen: expected HOST:PORT/],
  [
    ['relay', '--listen', L, '--metrics', L, '--peer-relay', 'http://127.0.0.1:7001'],
    /relay: --peer-relay: expected a ws: or wss: URL, got "http:\/\/127\.0\.0\.1:7001"/,
  ],
  [
    ['relay', '--listen', L, '--metrics', L, '--peer-relay', 'relay-b'],
    /--peer-relay: expected a URL like ws:\/\/127\.0\.0\.1:7000, got "relay-b"/,
  ],
  [['relay', '--lisen', L], /relay: Unknown option '--lisen'/],
  [['relay', 'extra'], /relay: Unexpected argument 'extra'/],
  // replay
  [['replay'], /replay: --relay is required/],
  [
    ['replay', '--relay', 'http://127.0.0.1:7000', '--storage', 'http://x:1'],
    /replay: --relay: expected a ws: or wss: URL/,
  ],
  [['replay', '--relay', RELAY], /replay: --storage is required/],
  [
    ['replay', '--relay', RELAY, '--storage', 'ws://127.0.0.1:7003', '--listen', L],
    /replay: --storage: expected a http: or https: URL, got "ws:\/\/127\.0\.0\.1:7003"/,
  ],
  [
    ['replay', '--relay', RELAY, '--storage', 'http://127.0.0.1:7003', '--listen', 'x:y'],
    /replay: --listen: expected HOST:PORT/,
  ],
  // storage
  [['storage', '--listen', L, '--metrics', L], /storage: --db is required/],
  [
    ['storage', '--listen', L, '--metrics', L, '--db', 'x.db', '--replay', 'ftp://127.0.0.1:1'],
    /storage: --replay: expected a http: or https: URL/,
  ],
  [
    ['storage', '--listen', '[::1]:70000', '--metrics', L, '--db', 'x'],
    /--listen: expected HOST:PORT/,
  ],
  // load
  [['load'], /load: --relay is required \(repeat it for several relays\)/],
  [['load', '--relay', 'http://127.0.0.1:7000'], /load: --relay: expected a ws: or wss: URL/],
  [
    ['load', '--relay', RELAY, '--fault', 'slow-disk'],
    /load: --fault: expected NAME\[=VALUE\]@START\[-END\] or kill:SERVICE@START \(seconds\), got "slow-disk"/,
  ],
  [['load', '--relay', RELAY, '--fault', 'melt-cpu@3'], /load: --fault: unknown fault "melt-cpu"/],
  [
    ['load', '--relay', RELAY, '--fault', 'slow-disk=100@5-3'],
    /the end \(3s\) must come after the start \(5s\)/,
  ],
  [['load', '--relay', RELAY, '--fault', 'kill@3'], /kill needs a service, e\.g\. kill:storage@10/],
  [['load', '--relay', RELAY, '--fault', 'kill:relay@3'], /load: kill:SERVICE needs the processes/],
  [['load', '--relay', RELAY, '--peers', '0'], /load: --peers: expected a number ≥ 1, got "0"/],
  [['load', '--relay', RELAY, '--rate', 'fast'], /load: --rate: expected a number ≥ 0, got "fast"/],
  [['load', '--relay', RELAY, '--duration', '0.5'], /load: --duration: expected a number ≥ 1/],
  [
    ['load', '--relay', RELAY, '--replay', 'ws://127.0.0.1:7002'],
    /load: --replay: expected a http:/,
  ],
  // fault
  [
    ['fault'],
    /fault: expected a fault name \(slow-disk, relay-cpu, dial-fail, stall-replay, ws-reject\), got ""/,
  ],
  [['fault', 'melt', 'on'], /fault: expected a fault name .*got "melt"/],
  [['fault', 'slow-disk'], /fault: expected on or off after the fault name, got ""/],
  [
    ['fault', 'slow-disk', 'maybe', '--service', 'http://127.0.0.1:7003'],
    /fault: expected on or off after the fault name, got "maybe"/,
  ],
  [['fault', 'slow-disk', 'on'], /fault: --service is required/],
  [
    ['fault', 'slow-disk', 'on', '--service', 'ftp://127.0.0.1:7003'],
    /fault: --service: expected a http: or https: or ws: or wss: URL/,
  ],
  [
    ['fault', 'slow-disk', 'on', '--service', 'http://127.0.0.1:1', '--value=-5'],
    /fault: --value: expected a number ≥ 0, got "-5"/,
  ],
  // up
  [['up', '--peers', '0'], /up: --peers: expected a number ≥ 1, got "0"/],
  [['up', '--duration', 'soon'], /up: --duration: expected a number ≥ 1, got "soon"/],
  [['up', '--fault', 'nope@1'], /up: --fault: unknown fault "nope"/],
  [['up', '--fault', 'slow-disk@1-1'], /up: --fault: the end \(1s\) must come after the start/],
  [['up', '--base-port', '70000'], /up: --base-port: expected a port number 1–65432 .*got "70000"/],
  [['up', '--base-port', '65500'], /up: --base-port: expected a port number 1–65432/],
  [['up', '--bogus'], /up: Unknown option '--bogus'/],
];

for (const [argv, message] of badArgs) {
  test(`bad arguments exit 2 with a clear message: canopy ${argv.join(' ')}`, async () => {
    const r = await canopy(...argv);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, message);
    assert.match(r.err, /Run "canopy --help" for usage/);
    assert.equal(r.out, '', 'nothing runs');
  });
}

test('bad usage installs no signal handlers (they are added only once a command runs)', async () => {
  const before = process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
  await canopy('up', '--peers', '0');
  await canopy('load', '--relay', RELAY, '--rate', 'x');
  assert.equal(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM'), before);
});

/** Whether a loopback port can be bound right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port whose +0…+4 and +100…+103 are free. */
async function freeBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = [0, 1, 2, 3, 4, 100, 101, 102, 103].map((d) => base + d);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

test(
  'canopy up runs the deployment as processes, serves four /metrics and stops cleanly',
  { timeout: 90_000 },
  async () => {
    const data = mkdtempSync(join(tmpdir(), 'canopy-up-'));
    const base = await freeBase();
    const bin = fileURLToPath(new URL('../bin/canopy.js', import.meta.url));
    const args = ['up', '--duration', '6', '--base-port', String(base), '--data', data];
    // When `up` also runs the hub it takes --listen: keep that off fixed ports as well (the
    // probe fails validation, so nothing starts).
    const probe = await canopy('up', '--listen', '127.0.0.1:1', '--peers', '0');
    if (!probe.err.includes("Unknown option '--listen'"))
      args.push('--listen', `127.0.0.1:${base + 4}`);
    const child = spawn(process.execPath, [bin, ...args, '--peers', '20', '--rate', '20'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CANOPY_LOG_LEVEL: 'warn' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => r({ code, signal })),
    );
    const urls = [0, 1, 2, 3].map((i) => `http://127.0.0.1:${base + 100 + i}/metrics`);
    try {
      // Up once every service answers (each start waits for the previous one's /metrics).
      const upBy = Date.now() + 45_000;
      while (!out.includes('is up') && Date.now() < upBy) {
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(out, /Canopy reference deployment is up/, `stdout: ${out}\nstderr: ${err}`);
      for (const u of urls) assert.ok(out.includes(u), `${u} is printed`);
      const expected = [
        /^relay_peers_connected \d+/m,
        /^relay_peers_connected \d+/m,
        /^replay_events_applied_total \d+/m,
        /^storage_write_duration_seconds_count \d+/m,
      ];
      for (const [i, u] of urls.entries()) {
        const res = await fetch(u, { signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200, u);
        const text = await res.text();
        assert.match(text, expected[i]!, u);
        assert.match(text, /^process_cpu_seconds_total /m, u);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const { code, signal } = await Promise.race([
        exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`canopy up did not exit; stdout: ${out}`)),
            45_000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      assert.equal(signal, null);
      assert.equal(code, 0, `exit code; stderr: ${err}`);
      assert.match(out, /stopped\.\n$/);
      assert.doesNotMatch(out, /died/, 'no child died');
      for (const u of urls)
        await assert.rejects(
          fetch(u, { signal: AbortSignal.timeout(2000) }),
          `${u} is closed after stop`,
        );
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM first: `up` stops its own children; SIGKILL if it does not go.
        child.kill('SIGTERM');
        const gone = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
        ]);
        if (!gone) process.kill(child.pid!, 'SIGKILL');
      }
      rmSync(data, { recursive: true, force: true });
    }
  },
);
