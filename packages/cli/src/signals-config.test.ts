import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, ConfigError } from './config.js';
import { hubSettings } from './hub-command.js';

test('hub.traces and hub.logs: absent means the hub defaults; set, they reach startHub', () => {
  const none = hubSettings(parseConfig({}, 'canopy.yaml'));
  assert.equal(none.traces, undefined);
  assert.equal(none.logs, undefined);
  const set = hubSettings(
    parseConfig(
      {
        hub: {
          traces: { max_size: '16MiB', max_traces: 500, max_request_size: '1MiB' },
          logs: { max_lines: 1000, max_size: 65536 },
        },
      },
      'canopy.yaml',
    ),
  );
  assert.deepEqual(set.traces, {
    maxBytes: 16 * 1024 * 1024,
    maxTraces: 500,
    maxBodyBytes: 1024 * 1024,
    maxSpansPerRequest: 10_000,
  });
  assert.deepEqual(set.logs, { maxBytes: 65536, maxRows: 1000, maxPushBytes: 4 * 1024 * 1024 });
  const off = hubSettings(
    parseConfig({ hub: { traces: { enabled: false }, logs: { enabled: false } } }, 'c.yaml'),
  );
  assert.equal(off.traces, false);
  assert.equal(off.logs, false);
});

test('bad hub.traces / hub.logs values name the file, the path and what was expected', () => {
  const cases: Array<[unknown, RegExp]> = [
    [
      { traces: { max_size: 'big' } },
      /^c\.yaml: hub\.traces\.max_size: expected a size above 0 such as "64MiB", got "big"$/,
    ],
    [
      { traces: { max_traces: 0 } },
      /^c\.yaml: hub\.traces\.max_traces: expected a whole number of traces \(1 or more\), got 0$/,
    ],
    [
      { traces: { enabled: 'yes' } },
      /^c\.yaml: hub\.traces\.enabled: expected true or false, got "yes"$/,
    ],
    [
      { traces: { max_span: 5 } },
      /^c\.yaml: hub\.traces: unknown key "max_span" \(check the spelling/,
    ],
    [
      { logs: { max_lines: 2.5 } },
      /^c\.yaml: hub\.logs\.max_lines: expected a whole number of lines \(1 or more\), got 2\.5$/,
    ],
    [
      { logs: { max_push_size: '0B' } },
      /^c\.yaml: hub\.logs\.max_push_size: expected a size above 0 such as "4MiB", got "0B"$/,
    ],
  ];
  for (const [hub, re] of cases)
    assert.throws(
      () => parseConfig({ hub }, 'c.yaml'),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      JSON.stringify(hub),
    );
});
