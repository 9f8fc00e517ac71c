import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import {
  formatBytes,
  formatDuration,
  parseBytes,
  parseDuration,
  parseScrapeConfig,
  ScrapeConfigError,
  ScrapeConfigSchema,
} from './config.js';

test('parseDuration reads Prometheus durations', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['15s', 15_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['1h1m1s1ms', 3_661_001],
  ];
  for (const [s, ms] of cases) assert.equal(parseDuration(s), ms, s);
});

test('parseDuration errors say what to write', () => {
  const cases: [string, RegExp][] = [
    ['', /empty duration: write e\.g\. "15s"/],
    ['15', /duration "15" has no unit: write e\.g\. "15s"/],
    ['1.5m', /must use whole numbers: write e\.g\. "90s"/],
    ['1s1m', /units must go from the largest to the smallest/],
    ['10 seconds', /"10 seconds" is not a duration: write e\.g\. "15s"/],
    ['-5s', /is not a duration/],
  ];
  for (const [s, re] of cases) assert.throws(() => parseDuration(s), re, s);
});

test('formatDuration is the inverse for whole units', () => {
  for (const s of ['15s', '1m30s', '500ms', '1s500ms', '2h', '0s']) {
    assert.equal(formatDuration(parseDuration(s)), s);
  }
});

test('parseBytes reads sizes in powers of 1024', () => {
  const cases: [string | number, number][] = [
    ['10MiB', 10 * 1024 * 1024],
    ['10MB', 10 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['1GiB', 1024 ** 3],
    ['1.5KiB', 1536],
    ['100', 100],
    ['100B', 100],
    ['2 mib', 2 * 1024 * 1024],
    [4096, 4096],
    ['0', 0],
  ];
  for (const [s, n] of cases) assert.equal(parseBytes(s), n, String(s));
  assert.throws(
    () => parseBytes('ten megs'),
    /"ten megs" is not a byte size: write e\.g\. "10MiB"/,
  );
  assert.throws(() => parseBytes('10XB'), /is not a byte size/);
  assert.throws(() => parseBytes(-1), /must be a whole number ≥ 0/);
  assert.equal(formatBytes(10 * 1024 * 1024), '10MiB');
  assert.equal(formatBytes(1536), '1536B');
});

test('defaults of the scrape section', () => {
  const c = parseScrapeConfig(undefined);
  assert.deepEqual(c, {
    interval: 15_000,
    timeout: 10_000,
    sample_limit: 50_000,
    label_limit: 64,
    label_name_length_limit: 128,
    label_value_length_limit: 1024,
    body_size_limit: 10 * 1024 * 1024,
    targets: [],
  });
});

test('targets resolve defaults: instance is host:port, interval and limits inherited', () => {
  const c = parseScrapeConfig(
    parseYaml(`
interval: 30s
timeout: 20s
sample_limit: 1000
targets:
  - url: http://127.0.0.1:9464/metrics
    service: relay
  - url: https://storage.example/metrics
    service: storage
    interval: 5s
    bearer_token_file: /run/secrets/token
  - url: http://[::1]:9100/metrics
    service: host
    instance: box-1
    timeout: 1s
    sample_limit: 0
`),
  );
  assert.deepEqual(c.targets, [
    {
      url: 'http://127.0.0.1:9464/metrics',
      service: 'relay',
      instance: '127.0.0.1:9464',
      interval: 30_000,
      timeout: 20_000,
      sample_limit: 1000,
    },
    {
      url: 'https://storage.example/metrics',
      service: 'storage',
      instance: 'storage.example:443',
      interval: 5_000,
      // the inherited 20s timeout is clamped to the target's shorter interval
      timeout: 5_000,
      sample_limit: 1000,
      bearer_token_file: '/run/secrets/token',
    },
    {
      url: 'http://[::1]:9100/metrics',
      service: 'host',
      instance: 'box-1',
      interval: 30_000,
      timeout: 1_000,
      sample_limit: 0,
    },
  ]);
});

/** The messages of a config that must fail. */
function problems(input: unknown): string[] {
  try {
    parseScrapeConfig(input);
  } catch (e) {
    assert.ok(e instanceof ScrapeConfigError, String(e));
    return [...e.problems];
  }
  assert.fail('expected the configuration to be rejected');
}

test('schema errors name the path and say what to do', () => {
  const cases: [unknown, string[]][] = [
    [
      { interval: '15' },
      [
        'scrape.interval: duration "15" has no unit: write e.g. "15s" (units: ms, s, m, h, d, w, y)',
      ],
    ],
    [{ interval: 15 }, ['scrape.interval: expected a duration such as "15s", "1m" or "500ms"']],
    [
      { interval: '10s', timeout: '20s' },
      [
        'scrape.timeout: timeout 20s is longer than the interval 10s: a scrape must end before the next one starts',
      ],
    ],
    [{ interval: '0s' }, ['scrape.interval: must be longer than 0s']],
    [{ sample_limit: -1 }, ['scrape.sample_limit: must be 0 (no limit) or more']],
    [{ label_limit: 1.5 }, ['scrape.label_limit: expected a whole number (0 means no limit)']],
    [
      { body_size_limit: 'lots' },
      ['scrape.body_size_limit: "lots" is not a byte size: write e.g. "10MiB", "512KiB" or "1GiB"'],
    ],
    [{ intervall: '15s' }, ['scrape: Unrecognized key: "intervall"']],
    [{ targets: {} }, ['scrape.targets: expected a list of targets']],
    [
      { targets: [{ service: 'relay' }] },
      ['scrape.targets[0].url: required: the URL to scrape, e.g. "http://127.0.0.1:9464/metrics"'],
    ],
    [
      { targets: [{ url: 'http://a:1/m' }] },
      ['scrape.targets[0].service: required: the service label of this target, e.g. "relay"'],
    ],
    [
      { targets: [{ url: 'http://a:1/m', service: '' }] },
      [
        'scrape.targets[0].service: must not be empty: the service label of this target, e.g. "relay"',
      ],
    ],
    [
      { targets: [{ url: '127.0.0.1:9100', service: 'x' }] },
      [
        'scrape.targets[0].url: "127.0.0.1:9100" must start with http:// or https://, e.g. "http://127.0.0.1:9464/metrics"',
      ],
    ],
    [
      { targets: [{ url: 'http://exa mple/', service: 'x' }] },
      [
        'scrape.targets[0].url: "http://exa mple/" is not a URL: write e.g. "http://127.0.0.1:9464/metrics"',
      ],
    ],
    [
      { targets: [{ url: 'http://a:1/m', service: 'x', timeout: '20s' }] },
      [
        'scrape.targets[0].timeout: timeout 20s is longer than the interval 15s: a scrape must end before the next one starts',
      ],
    ],
    [
      {
        targets: [
          { url: 'http://a:1/m', service: 'relay' },
          { url: 'http://a:1/other', service: 'relay' },
        ],
      },
      [
        'scrape.targets[1]: same service "relay" and instance "a:1" as targets[0]: give one of them another instance',
      ],
    ],
    [
      { targets: [{ url: 'http://a:1/m', service: 'x', labels: {} }] },
      ['scrape.targets[0]: Unrecognized key: "labels"'],
    ],
  ];
  for (const [input, want] of cases) assert.deepEqual(problems(input), want, JSON.stringify(input));
});

test('every problem is reported at once, under the caller-given path', () => {
  try {
    parseScrapeConfig({ interval: 'x', targets: [{ url: 1 }] }, 'canopy.yaml: scrape');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ScrapeConfigError);
    assert.match(e.message, /^invalid scrape configuration:\n {2}canopy\.yaml: scrape\.interval: /);
    assert.equal(e.problems.length, 3, e.message);
  }
});

test('ScrapeConfigSchema is usable inside a larger schema', () => {
  const r = ScrapeConfigSchema.safeParse({ targets: [{ url: 'http://h:9/m', service: 's' }] });
  assert.ok(r.success);
  assert.equal(r.data.targets[0]?.instance, 'h:9');
});
