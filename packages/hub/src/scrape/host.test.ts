import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { host as catalogHost } from '@canopy/catalog';
import { parseScrapeConfig } from './config.js';
import { collectHost, hostTarget, parseMounts } from './host.js';
import { parseText, type ParsedSample } from './parse.js';
import { Scraper } from './scraper.js';
import { MemAppender } from './testing-appender.js';

const linux = existsSync('/proc/loadavg');

function only(samples: readonly ParsedSample[], name: string): ParsedSample {
  const s = samples.filter((x) => x.name === name);
  assert.equal(s.length, 1, name);
  return s[0]!;
}

test('parseMounts keeps what node_exporter keeps', () => {
  const text = [
    'proc /proc proc rw 0 0',
    'sysfs /sys sysfs rw 0 0',
    'tmpfs /dev/shm tmpfs rw 0 0',
    'tmpfs /dev/shm tmpfs rw 0 0',
    'tmpfs /run tmpfs rw 0 0',
    'tmpfs /tmp tmpfs rw 0 0',
    'overlay / overlay rw 0 0',
    '/dev/vda1 / ext4 rw 0 0',
    '/dev/vdb /srv/my\\040data xfs rw 0 0',
    '/dev/vdc /var/lib/docker/volumes btrfs rw 0 0',
    'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
    'nsfs /run/netns/x nsfs rw 0 0',
    '/dev/loop0 /snap/core squashfs ro 0 0',
    '/dev/vdd /home btrfs rw 0 0',
    '/dev/vdd /home btrfs rw 0 0',
    '',
  ].join('\n');
  assert.deepEqual(parseMounts(text), [
    { device: 'tmpfs', mountpoint: '/tmp', fstype: 'tmpfs' },
    { device: '/dev/vda1', mountpoint: '/', fstype: 'ext4' },
    { device: '/dev/vdb', mountpoint: '/srv/my data', fstype: 'xfs' },
    { device: '/dev/vdd', mountpoint: '/home', fstype: 'btrfs' },
  ]);
});

test('host collector output from a fixture /proc: exact values, catalog names and types', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'canopy-proc-'));
  try {
    await writeFile(join(dir, 'loadavg'), '0.50 1.25 2.00 3/400 12345\n');
    await writeFile(
      join(dir, 'stat'),
      'cpu  300 5 60 1000 7 0 9 2 0 0\n' +
        'cpu0 100 0 20 500 3 0 4 1 0 0\n' +
        'cpu1 200 5 40 500 4 0 5 1 0 0\n' +
        'intr 12345\nctxt 999\n',
    );
    await writeFile(
      join(dir, 'meminfo'),
      'MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n' +
        'SwapTotal:       2000000 kB\nSwapFree:        1500000 kB\nHugePages_Total:       0\n',
    );
    await mkdir(join(dir, 'self'));
    await writeFile(
      join(dir, 'self', 'mounts'),
      'proc /proc proc rw 0 0\n/dev/root / ext4 rw 0 0\n/dev/gone /no/such/dir ext4 rw 0 0\n',
    );
    const body = await collectHost({ procPath: dir });
    const e = parseText(body);
    const s = e.samples;
    assert.equal(only(s, 'node_load1').value, 0.5);
    assert.equal(only(s, 'node_load5').value, 1.25);
    assert.equal(only(s, 'node_load15').value, 2);
    assert.equal(only(s, 'node_memory_MemTotal_bytes').value, 16_000_000 * 1024);
    assert.equal(only(s, 'node_memory_MemAvailable_bytes').value, 8_000_000 * 1024);
    assert.equal(only(s, 'node_memory_SwapTotal_bytes').value, 2_000_000 * 1024);
    assert.equal(only(s, 'node_memory_SwapFree_bytes').value, 1_500_000 * 1024);
    const cpu = s.filter((x) => x.name === 'node_cpu_seconds_total');
    assert.equal(cpu.length, 16);
    const get = (c: string, mode: string): number | undefined =>
      cpu.find((x) => x.labels['cpu'] === c && x.labels['mode'] === mode)?.value;
    assert.equal(get('0', 'user'), 1);
    assert.equal(get('0', 'idle'), 5);
    assert.equal(get('1', 'nice'), 0.05);
    assert.equal(get('1', 'softirq'), 0.05);
    assert.equal(get('1', 'steal'), 0.01);
    // the mount that cannot be statted is skipped, the real one reported
    const size = s.filter((x) => x.name === 'node_filesystem_size_bytes');
    assert.deepEqual(
      size.map((x) => x.labels),
      [{ device: '/dev/root', fstype: 'ext4', mountpoint: '/' }],
    );
    const st = await statfs('/');
    assert.equal(size[0]!.value, st.blocks * st.bsize);
    // names, types and labels as the catalog says
    for (const m of catalogHost) {
      assert.equal(e.metadata.get(m.name)?.type, m.type, m.name);
      assert.equal(e.metadata.get(m.name)?.help, m.help, m.name);
      for (const x of s.filter((y) => y.name === m.name))
        assert.deepEqual(Object.keys(x.labels).sort(), [...m.labels].sort(), m.name);
    }
    assert.deepEqual([...e.metadata.keys()].sort(), catalogHost.map((m) => m.name).sort());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test(
  'host collector values are plausible against this machine’s /proc',
  { skip: !linux },
  async () => {
    const e = parseText(await collectHost());
    const s = e.samples;
    const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').map(Number);
    assert.ok(Math.abs(only(s, 'node_load1').value - load[0]!) < 1 + load[0]! * 0.5);
    const mem = await readFile('/proc/meminfo', 'utf8');
    const kb = (f: string): number =>
      Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(mem)![1]) * 1024;
    assert.equal(only(s, 'node_memory_MemTotal_bytes').value, kb('MemTotal'));
    assert.equal(only(s, 'node_memory_SwapTotal_bytes').value, kb('SwapTotal'));
    const avail = only(s, 'node_memory_MemAvailable_bytes').value;
    assert.ok(avail > 0 && avail <= kb('MemTotal'));
    const stat = await readFile('/proc/stat', 'utf8');
    const cpus = stat.split('\n').filter((l) => /^cpu\d+ /.test(l));
    const cpu = s.filter((x) => x.name === 'node_cpu_seconds_total');
    assert.equal(cpu.length, cpus.length * 8);
    // cpu0's total seconds a moment later is at least what we read, and not far above
    const ticks = cpus[0]!.split(/\s+/).slice(1, 9).map(Number);
    const now = ticks.reduce((a, b) => a + b, 0) / 100;
    const ours = cpu.filter((x) => x.labels['cpu'] === '0').reduce((a, x) => a + x.value, 0);
    assert.ok(ours <= now + 1e-6 && now - ours < 5, `ours ${ours}, now ${now}`);
    for (const x of s.filter((y) => y.name === 'node_filesystem_avail_bytes')) {
      const size = s.find(
        (y) =>
          y.name === 'node_filesystem_size_bytes' && y.key.endsWith(x.key.slice(x.name.length)),
      );
      assert.ok(size !== undefined && x.value <= size.value, x.labels['mountpoint']);
    }
  },
);

test(
  'the host target is scraped like any other: up, service="host", instance',
  { skip: !linux },
  async () => {
    const app = new MemAppender();
    const scraper = new Scraper(app, parseScrapeConfig({}), {
      sources: [hostTarget({ instance: 'box-1' })],
    });
    try {
      await scraper.scrapeNow();
      const st = scraper.targets()[0]!;
      assert.equal(st.lastError, '');
      assert.equal(st.health, 'up');
      assert.equal(st.url, 'builtin:host');
      assert.equal(app.find({ __name__: 'up', service: 'host', instance: 'box-1' })[0]?.v, 1);
      assert.equal(
        app.find({ __name__: 'node_load1', service: 'host', instance: 'box-1' }).length,
        1,
      );
    } finally {
      await scraper.stop();
    }
  },
);
