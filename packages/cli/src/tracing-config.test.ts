import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './cli.js';
import { ConfigError, parseConfig } from './config.js';
import {
  DEFAULT_SAMPLE_RATIO,
  TracingSettingsError,
  readHeadersFile,
  serviceTracingFromFlags,
  upTracing,
  upTracingFlags,
} from './tracing-config.js';

const dir = mkdtempSync(join(tmpdir(), 'canopy-tracing-config-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const SECRET = 'Basic aW5zdGFuY2U6c2VjcmV0LXRva2Vu';
const goodHeaders = file(
  'headers',
  `# Grafana Cloud\n\nAuthorization: ${SECRET}\nX-Scope-OrgID: canopy\n`,
);

const badConfigs: Array<[unknown, RegExp]> = [
  [
    { sample_ratio: 2 },
    /canopy\.yaml: tracing\.sample_ratio: expected a sample ratio from 0 to 1 \(0\.1 = one new trace in ten\), got 2/,
  ],
  [
    { sample_ratio: { relay: 'x' } },
    /tracing\.sample_ratio: expected a sample ratio from 0 to 1, or one per service/,
  ],
  [{ sample_ratio: { relays: 0.1 } }, /tracing\.sample_ratio: unknown key "relays"/],
  [
    { endpoint: 'tempo:4318' },
    /tracing\.endpoint: expected the http\(s\) URL of an OTLP\/HTTP traces receiver, e\.g\. http:\/\/127\.0\.0\.1:4318\/v1\/traces, got "tempo:4318"/,
  ],
  [{ endpoint: 4318 }, /tracing\.endpoint: expected the http\(s\) URL/],
  [{ enabled: 'yes' }, /tracing\.enabled: expected true or false, got "yes"/],
  [{ headers_file: ['a'] }, /tracing\.headers_file: expected the path of a headers file/],
  [{ sample_ratios: 0.1 }, /tracing: unknown key "sample_ratios" \(check the spelling/],
];

for (const [tracing, re] of badConfigs) {
  test(`canopy.yaml tracing ${JSON.stringify(tracing)} is refused with path and fix`, () => {
    assert.throws(
      () => parseConfig({ tracing }, 'canopy.yaml'),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
    );
  });
}

test('canopy.yaml tracing: defaults, one ratio for all, one per service, off', () => {
  const none = upTracing(parseConfig({}, 'c.yaml').tracing);
  assert.deepEqual(none, {
    endpoint: undefined,
    ratios: {
      relay: DEFAULT_SAMPLE_RATIO,
      replay: DEFAULT_SAMPLE_RATIO,
      storage: DEFAULT_SAMPLE_RATIO,
    },
    headersFile: undefined,
  });
  assert.deepEqual(
    upTracing(parseConfig({ tracing: { sample_ratio: 0.5 } }, 'c').tracing)?.ratios,
    {
      relay: 0.5,
      replay: 0.5,
      storage: 0.5,
    },
  );
  const per = upTracing(
    parseConfig(
      {
        tracing: {
          endpoint: 'https://otlp.example.test/otlp/v1/traces',
          sample_ratio: { relay: 0.01, storage: 1 },
          headers_file: goodHeaders,
        },
      },
      'c',
    ).tracing,
  )!;
  assert.deepEqual(per.ratios, { relay: 0.01, replay: DEFAULT_SAMPLE_RATIO, storage: 1 });
  assert.deepEqual(upTracingFlags(per, 'relay', 'http://hub/v1/traces'), [
    '--otlp-endpoint',
    'https://otlp.example.test/otlp/v1/traces',
    '--trace-sample-ratio',
    '0.01',
    '--otlp-headers-file',
    goodHeaders,
  ]);
  assert.equal(upTracing(parseConfig({ tracing: { enabled: false } }, 'c').tracing), undefined);
});

test('a headers file: Name: value lines; a bad one names file and line, never the secret', () => {
  assert.deepEqual(readHeadersFile(goodHeaders), {
    Authorization: SECRET,
    'X-Scope-OrgID': 'canopy',
  });
  const cases: Array<[string, RegExp]> = [
    [
      join(dir, 'missing'),
      /missing: cannot read the OTLP headers file \(ENOENT\); create it with lines like "Authorization: Basic/,
    ],
    [
      file('no-colon', `# x\nAuthorization ${SECRET}\n`),
      /no-colon:2: expected "Name: value" .*the line is not shown/,
    ],
    [file('no-value', 'Authorization:\n'), /no-value:1: expected "Name: value"/],
    [file('empty', '# only a comment\n'), /empty: no header in the OTLP headers file/],
  ];
  for (const [path, re] of cases) {
    assert.throws(
      () => readHeadersFile(path),
      (e: unknown) =>
        e instanceof TracingSettingsError &&
        re.test(e.message) &&
        !e.message.includes('aW5zdGFuY2U'),
      path,
    );
  }
  assert.throws(
    () => upTracing({ enabled: true, headers_file: join(dir, 'missing') }, 'my.yaml'),
    /my\.yaml: tracing\.headers_file: .*missing: cannot read the OTLP headers file/,
  );
});

test('service flags and OTEL_EXPORTER_OTLP_* variables; the flag wins', () => {
  const ep = 'http://127.0.0.1:9400/v1/traces';
  assert.equal(serviceTracingFromFlags('relay', {}, {}), undefined);
  assert.deepEqual(serviceTracingFromFlags('relay', { 'otlp-endpoint': ep }, {}), {
    endpoint: ep,
    sampleRatio: 1,
  });
  assert.deepEqual(
    serviceTracingFromFlags(
      'relay',
      {},
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces' },
    ),
    { endpoint: 'http://tempo:4318/v1/traces', sampleRatio: 1 },
  );
  assert.equal(
    serviceTracingFromFlags('relay', {}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318/' })
      ?.endpoint,
    'http://tempo:4318/v1/traces',
  );
  assert.equal(
    serviceTracingFromFlags(
      'relay',
      { 'otlp-endpoint': ep },
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:1/v1/traces' },
    )?.endpoint,
    ep,
  );
  assert.equal(
    serviceTracingFromFlags(
      'relay',
      {},
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:1', OTEL_SDK_DISABLED: 'true' },
    ),
    undefined,
  );
  assert.deepEqual(
    serviceTracingFromFlags(
      'storage',
      { 'otlp-endpoint': ep, 'trace-sample-ratio': '0.25', 'otlp-headers-file': goodHeaders },
      {},
    ),
    {
      endpoint: ep,
      sampleRatio: 0.25,
      headers: { Authorization: SECRET, 'X-Scope-OrgID': 'canopy' },
    },
  );
});

const L = '127.0.0.1:0';
const badArgs: Array<[string[], Record<string, string>, RegExp]> = [
  [
    ['relay', '--listen', L, '--metrics', L, '--otlp-endpoint', 'tempo:4318'],
    {},
    /relay: --otlp-endpoint: expected the http\(s\) URL of an OTLP\/HTTP traces receiver.*got "tempo:4318"/,
  ],
  [
    [
      'storage',
      '--listen',
      L,
      '--metrics',
      L,
      '--db',
      ':memory:',
      '--otlp-endpoint',
      'http://127.0.0.1:1/v1/traces',
      '--trace-sample-ratio',
      '10',
    ],
    {},
    /storage: --trace-sample-ratio: expected a sample ratio from 0 to 1 .*got "10"/,
  ],
  [
    [
      'storage',
      '--listen',
      L,
      '--metrics',
      L,
      '--db',
      ':memory:',
      '--otlp-endpoint',
      'http://127.0.0.1:1/v1/traces',
      '--trace-sample-ratio',
      '',
    ],
    {},
    /got ""/,
  ],
  [
    ['relay', '--listen', L, '--metrics', L, '--trace-sample-ratio', '0.1'],
    {},
    /relay: --trace-sample-ratio and --otlp-headers-file need --otlp-endpoint URL/,
  ],
  [
    ['relay', '--listen', L, '--metrics', L],
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://x:4317' },
    /relay: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: expected the http\(s\) URL/,
  ],
  [
    [
      'replay',
      '--relay',
      'ws://127.0.0.1:1',
      '--storage',
      'http://127.0.0.1:1',
      '--listen',
      L,
      '--metrics',
      L,
      '--otlp-endpoint',
      'http://127.0.0.1:1/v1/traces',
      '--otlp-headers-file',
      join(dir, 'nope'),
    ],
    {},
    /nope: cannot read the OTLP headers file \(ENOENT\)/,
  ],
];

for (const [argv, env, re] of badArgs) {
  test(`canopy ${argv.slice(-2).join(' ')} ${JSON.stringify(env)}: exit 2 with the reason`, async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    let err = '';
    try {
      const code = await run(argv, { out: () => {}, err: (s) => void (err += s) });
      assert.equal(code, 2, err);
      assert.match(err, re);
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    }
  });
}
