import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelSpec, MetricSpec } from './spec.js';
import {
  DEFAULT_MAX_SERIES,
  labelCardinality,
  labelCombinations,
  maxSeries,
  MetricDefinitionError,
  validateSpec,
} from './validate.js';

/** Asserts that `spec` is rejected by `rule`, with a message naming the metric and the rule. */
function rejects(spec: MetricSpec, rule: string, fragment: string): void {
  assert.throws(
    () => validateSpec(spec),
    (e: unknown) => {
      assert.ok(e instanceof MetricDefinitionError, `expected MetricDefinitionError, got ${e}`);
      assert.equal(e.rule, rule, e.message);
      assert.equal(e.metric, String(spec.name));
      assert.ok(e.message.startsWith(`metric "${String(spec.name)}": `), e.message);
      assert.ok(e.message.endsWith(` [${rule}]`), e.message);
      assert.ok(e.message.includes(fragment), `"${e.message}" should mention "${fragment}"`);
      return true;
    },
  );
}

/** Asserts the full message text of a rejection. */
function rejectsWith(spec: MetricSpec, message: string): void {
  assert.throws(() => validateSpec(spec), { name: 'MetricDefinitionError', message });
}

const gauge = (name: string, extra: Partial<MetricSpec> = {}): MetricSpec =>
  ({ type: 'gauge', name, help: 'h', ...extra }) as MetricSpec;
const counter = (name: string, extra: Partial<MetricSpec> = {}): MetricSpec =>
  ({ type: 'counter', name, help: 'h', ...extra }) as MetricSpec;
const withLabel = (label: string, spec: LabelSpec): MetricSpec =>
  gauge('relay_thing', { labels: { [label]: spec } });
const enumOf = (...values: string[]): LabelSpec => ({ kind: 'enum', values });
const histogram = (buckets: number[]): MetricSpec => ({
  type: 'histogram',
  name: 'storage_write_duration_seconds',
  help: 'h',
  buckets,
});

describe('validateSpec rejects', () => {
  const cases: Array<[string, MetricSpec, string, string]> = [
    // [case, spec, rule, part of the message]
    ['dash in name', counter('relay-bytes_total'), 'name', '[a-zA-Z_][a-zA-Z0-9_]*'],
    ['leading digit', gauge('1abc'), 'name', '[a-zA-Z_][a-zA-Z0-9_]*'],
    ['colon in name', gauge('relay:peers'), 'name', 'colons are reserved for recording rules'],
    ['empty name', gauge(''), 'name', 'must match'],
    ['double underscore', gauge('__relay_peers'), 'name', '"__" are reserved'],
    ['empty help', gauge('relay_peers', { help: ' ' }), 'help', 'help text is required'],
    ['unknown type', { ...gauge('relay_peers'), type: 'summary' } as never, 'type', 'summary'],
    ['_milliseconds', gauge('relay_dial_milliseconds'), 'base-unit', '"milliseconds"'],
    ['_ms', gauge('storage_write_ms'), 'base-unit', '"ms" is not a base unit; use seconds'],
    ['_ms mid-name', gauge('storage_write_ms_max'), 'base-unit', '"ms"'],
    ['_kilobytes', gauge('storage_db_size_kilobytes'), 'base-unit', 'use bytes'],
    ['_mb', counter('relay_sent_mb_total'), 'base-unit', '"mb"'],
    [
      '_percent',
      gauge('relay_cpu_percent'),
      'base-unit',
      '"percent" is not a base unit; use ratio',
    ],
    ['_minutes', gauge('replay_lag_minutes'), 'base-unit', 'use seconds'],
    ['counter without _total', counter('relay_bytes'), 'counter-total', 'must end in "_total"'],
    ['gauge with _total', gauge('relay_peers_total'), 'counter-total', 'this is a gauge'],
    [
      'histogram with _total',
      { ...histogram([1]), name: 'storage_writes_total' },
      'counter-total',
      'this is a histogram',
    ],
    ['_bucket', gauge('relay_thing_bucket'), 'suffix', '"_bucket"'],
    ['_count', gauge('relay_thing_count'), 'suffix', '"_count"'],
    ['_sum', gauge('relay_thing_sum'), 'suffix', '"_sum"'],
    ['_created', gauge('relay_thing_created'), 'suffix', '"_created"'],
    ['_info', gauge('relay_thing_info'), 'suffix', '"_info"'],
    [
      'unit not in name',
      gauge('relay_dial_latency', { unit: 'seconds' }),
      'unit-suffix',
      'must be named ..._seconds',
    ],
    [
      'unit differs from suffix',
      gauge('relay_dial_seconds', { unit: 'bytes' }),
      'unit-suffix',
      '..._bytes',
    ],
    [
      'counter unit before _total',
      counter('relay_sent_total', { unit: 'bytes' }),
      'unit-suffix',
      '..._bytes_total',
    ],
    [
      'non-base unit field',
      gauge('relay_dial_duration', { unit: 'minutes' as never }),
      'base-unit',
      'unit "minutes" is not a base unit',
    ],
    ['reserved label le', withLabel('le', enumOf('a')), 'label-reserved', 'label "le"'],
    ['reserved label quantile', withLabel('quantile', enumOf('a')), 'label-reserved', 'quantile'],
    ['reserved label service', withLabel('service', enumOf('a')), 'label-reserved', '"service"'],
    ['reserved label instance', withLabel('instance', enumOf('a')), 'label-reserved', 'instance'],
    ['reserved label job', withLabel('job', enumOf('a')), 'label-reserved', 'label "job"'],
    ['label name with dash', withLabel('peer-kind', enumOf('a')), 'label-name', '"peer-kind"'],
    ['label name __', withLabel('__kind', enumOf('a')), 'label-name', '"__kind"'],
    ['empty enum', withLabel('reason', enumOf()), 'label-values', 'label "reason" has no values'],
    ['empty enum value', withLabel('reason', enumOf('a', '')), 'label-values', 'empty'],
    [
      'duplicate enum value',
      withLabel('reason', enumOf('a', 'b', 'a')),
      'label-values',
      '"a" twice',
    ],
    ['empty buckets', histogram([]), 'bounds', 'buckets is empty'],
    ['unsorted buckets', histogram([0.1, 1, 0.5]), 'bounds', 'got 1 then 0.5'],
    ['repeated bucket', histogram([0.1, 0.1]), 'bounds', 'strictly increasing'],
    ['NaN bucket', histogram([0.1, NaN]), 'bounds', 'finite, got NaN'],
    ['Infinity bucket', histogram([0.1, Infinity]), 'bounds', 'finite, got Infinity'],
    [
      'unsorted label bounds',
      withLabel('size', { kind: 'buckets', bounds: [10, 1] }),
      'bounds',
      'label "size" bounds must be strictly increasing',
    ],
    [
      'non-finite label bounds',
      withLabel('size', { kind: 'buckets', bounds: [-Infinity, 1] }),
      'bounds',
      'finite',
    ],
    ['topk k=0', withLabel('ns', { kind: 'topk', k: 0 }), 'label-values', 'k must be'],
    ['topk k<0', withLabel('ns', { kind: 'topk', k: -3 }), 'label-values', 'got -3'],
    ['topk k fraction', withLabel('ns', { kind: 'topk', k: 1.5 }), 'label-values', 'got 1.5'],
    [
      'topk bad pattern',
      withLabel('ns', { kind: 'topk', k: 2, pattern: '([a-z' }),
      'label-values',
      'not a valid regular expression',
    ],
    ['unknown label kind', withLabel('ns', { kind: 'free' } as never), 'label-kind', 'enum'],
    [
      'enum over default budget',
      counter('relay_dial_failures_total', {
        labels: { reason: enumOf(...Array.from({ length: 500 }, (_, i) => `r${i}`)) },
      }),
      'series-budget',
      'up to 1002 series, over its budget of 1000',
    ],
    [
      'over explicit maxSeries',
      gauge('actor_mailbox_depth', { labels: { actor: enumOf('a', 'b') }, maxSeries: 2 }),
      'series-budget',
      'up to 3 series, over its budget of 2',
    ],
    [
      'label product over budget',
      gauge('relay_thing', {
        labels: {
          a: enumOf(...Array.from({ length: 39 }, (_, i) => `a${i}`)),
          b: { kind: 'topk', k: 25 },
        },
      }),
      'series-budget',
      'up to 1040 series',
    ],
  ];
  for (const [name, spec, rule, fragment] of cases) {
    it(`${name} [${rule}]`, () => rejects(spec, rule, fragment));
  }

  it('gives exact, actionable messages', () => {
    rejectsWith(
      counter('relay_bytes'),
      'metric "relay_bytes": counter names must end in "_total" [counter-total]',
    );
    rejectsWith(
      gauge('relay-bytes'),
      'metric "relay-bytes": names must match [a-zA-Z_][a-zA-Z0-9_]* (colons are reserved for recording rules) [name]',
    );
    rejectsWith(
      gauge('storage_write_milliseconds'),
      'metric "storage_write_milliseconds": "milliseconds" is not a base unit; use seconds (e.g. ..._seconds) [base-unit]',
    );
    rejectsWith(
      withLabel('instance', enumOf('a')),
      'metric "relay_thing": label "instance" is reserved (le/quantile by the formats, service/instance/job by the scraper) [label-reserved]',
    );
    rejectsWith(
      histogram([0.5, 0.25]),
      'metric "storage_write_duration_seconds": buckets must be strictly increasing, got 0.5 then 0.25 [bounds]',
    );
    rejectsWith(
      counter('relay_dial_failures_total', {
        labels: { reason: enumOf(...Array.from({ length: 500 }, (_, i) => `r${i}`)) },
      }),
      'metric "relay_dial_failures_total": its labels allow up to 1002 series, over its budget of 1000; drop a label or shrink a value set (or raise maxSeries deliberately) [series-budget]',
    );
  });
});

describe('validateSpec accepts', () => {
  const cases: Array<[string, MetricSpec]> = [
    ['plain counter', counter('relay_peer_connects_total')],
    ['counter with unit', counter('relay_bytes_total', { unit: 'bytes' })],
    ['gauge with unit', gauge('storage_db_size_bytes', { unit: 'bytes' })],
    ['ratio gauge', gauge('relay_cpu_ratio', { unit: 'ratio' })],
    ['histogram', { ...histogram([0.001, 0.01, 0.1, 1]), unit: 'seconds' }],
    ['enum listing other', withLabel('reason', enumOf('timeout', 'other'))],
    ['bucket label', withLabel('size', { kind: 'buckets', bounds: [1, 10, 100] })],
    ['topk with pattern', withLabel('ns', { kind: 'topk', k: 5, pattern: '[a-z]+' })],
    [
      'exactly at the default budget',
      counter('relay_dial_failures_total', {
        labels: { reason: enumOf(...Array.from({ length: 499 }, (_, i) => `r${i}`)) },
      }),
    ],
    [
      'budget raised deliberately',
      counter('relay_dial_failures_total', {
        labels: { reason: enumOf(...Array.from({ length: 600 }, (_, i) => `r${i}`)) },
        maxSeries: 1202,
      }),
    ],
  ];
  for (const [name, spec] of cases) {
    it(name, () => validateSpec(spec));
  }
});

describe('series arithmetic', () => {
  it('counts label values including other', () => {
    const cases: Array<[LabelSpec, number]> = [
      [enumOf('in', 'out'), 3],
      [enumOf('in', 'out', 'other'), 3],
      [{ kind: 'buckets', bounds: [1, 10, 100] }, 5], // 3 bounds, +Inf, other
      [{ kind: 'topk', k: 7 }, 8],
    ];
    for (const [spec, n] of cases) assert.equal(labelCardinality(spec), n, JSON.stringify(spec));
  });

  it('multiplies label cardinalities', () => {
    assert.equal(labelCombinations(gauge('relay_peers')), 1);
    assert.equal(
      labelCombinations(
        gauge('relay_thing', {
          labels: { a: enumOf('x', 'y'), b: { kind: 'buckets', bounds: [1, 2, 3] } },
        }),
      ),
      15,
    );
  });

  it('maxSeries counts what Prometheus ingests', () => {
    const direction = { direction: enumOf('in', 'out') }; // 3 values with other
    const cases: Array<[string, MetricSpec, number]> = [
      ['counter: _total + _created', counter('relay_peer_connects_total'), 2],
      ['labelled counter: 2 per combo', counter('relay_bytes_total', { labels: direction }), 6],
      [
        'two-label counter',
        counter('relay_thing_total', {
          labels: { ...direction, size: { kind: 'buckets', bounds: [1, 2, 3] } },
        }),
        30,
      ],
      ['gauge', gauge('relay_peers_connected'), 1],
      ['labelled gauge', gauge('actor_mailbox_depth', { labels: direction }), 3],
      ['topk gauge', gauge('relay_thing', { labels: { ns: { kind: 'topk', k: 4 } } }), 5],
      // 3 buckets + Inf + sum + count + created
      ['histogram', histogram([0.1, 1, 10]), 7],
      [
        'labelled histogram: (buckets + 4) per combo',
        { ...histogram([0.1, 1, 10]), labels: direction },
        21,
      ],
    ];
    for (const [name, spec, n] of cases) assert.equal(maxSeries(spec), n, name);
  });

  it('defaults the budget to 1000', () => {
    assert.equal(DEFAULT_MAX_SERIES, 1000);
  });
});

it('names and label names must be snake_case and must not name their type', () => {
  const cases: Array<[MetricSpec, RegExp]> = [
    [
      { type: 'gauge', name: 'relayPeers', help: 'x' },
      /metric "relayPeers": names must be snake_case.*\[snake-case\]$/,
    ],
    [
      { type: 'gauge', name: 'relay_peers_gauge', help: 'x' },
      /must not contain the metric type \("gauge"\).*\[type-in-name\]$/,
    ],
    [
      { type: 'counter', name: 'relay_counter_total', help: 'x' },
      /\("counter"\).*\[type-in-name\]$/,
    ],
    [
      { type: 'gauge', name: 'relay_wait_sec', help: 'x' },
      /"sec" is not a base unit; use seconds.*\[base-unit\]$/,
    ],
    [
      {
        type: 'gauge',
        name: 'relay_peers',
        help: 'x',
        labels: { peerKind: { kind: 'enum', values: ['a'] } },
      },
      /label name "peerKind" must be snake_case \[snake-case\]$/,
    ],
  ];
  for (const [spec, message] of cases) assert.throws(() => validateSpec(spec), message, spec.name);
});
