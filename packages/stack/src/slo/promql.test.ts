import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatNumber,
  formatSelector,
  matchesSelector,
  metricNames,
  parseSelector,
  withMatcher,
} from './promql.js';
import { formatDuration, parseDuration } from './duration.js';

test('parseSelector reads selectors and refuses expressions', () => {
  assert.deepEqual(parseSelector('up'), { metric: 'up', matchers: [] });
  assert.deepEqual(parseSelector(' x_total{ a="1", b!~"x|y" , } '), {
    metric: 'x_total',
    matchers: [
      { name: 'a', op: '=', value: '1' },
      { name: 'b', op: '!~', value: 'x|y' },
    ],
  });
  assert.equal(parseSelector('{a="1"}'), undefined);
  for (const expr of ['rate(x[5m])', 'a / b', 'x{a="1"} > 0', 'x{a=1}', 'x{a="1"'])
    assert.equal(parseSelector(expr), undefined, expr);
});

test('formatSelector round-trips and escapes', () => {
  const sel = { metric: 'm', matchers: [{ name: 'l', op: '=~', value: '2(\\.0)?"' }] } as const;
  assert.equal(formatSelector(sel), 'm{l=~"2(\\\\.0)?\\""}');
  assert.deepEqual(parseSelector(formatSelector(sel)), sel);
  assert.equal(
    formatSelector(withMatcher(parseSelector('m{service="x"}')!, 'service', 'y')),
    'm{service="x"}',
  );
  assert.equal(formatSelector(withMatcher(parseSelector('m')!, 'service', 'y')), 'm{service="y"}');
});

test('matchesSelector anchors regexes and treats a missing label as empty', () => {
  const sel = parseSelector('m{r=~"ok|fine",x!="1",gone=""}')!;
  assert.ok(matchesSelector('m', { r: 'ok' }, sel));
  assert.ok(!matchesSelector('m', { r: 'okay' }, sel));
  assert.ok(!matchesSelector('m', { r: 'ok', x: '1' }, sel));
  assert.ok(!matchesSelector('n', { r: 'ok' }, sel));
});

test('metricNames finds selected metrics only', () => {
  const cases: [string, string[]][] = [
    [
      'node_load1{service="host"} / count without (cpu, mode) (node_cpu_seconds_total{mode="idle"})',
      ['node_load1', 'node_cpu_seconds_total'],
    ],
    ['sum by (instance) (rate(a_total[5m] offset 1h)) and on (instance) b > 0', ['a_total', 'b']],
    ['max_over_time(x[1h:5m]) > 1e-3 and bool_thing', ['x', 'bool_thing']],
    ['histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))', ['h_bucket']],
    ['label_replace(up, "a", "$1", "b", "(.*)")', ['up']],
  ];
  for (const [expr, names] of cases) assert.deepEqual(metricNames(expr), names, expr);
});

test('formatNumber hides binary noise', () => {
  assert.equal(formatNumber(1 - 0.99), '0.01');
  assert.equal(formatNumber(0.15 / (1 - 0.99)), '15');
  assert.equal(formatNumber(14.4), '14.4');
});

test('durations', () => {
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('30d'), 2592000);
  assert.equal(parseDuration('1w'), 604800);
  for (const bad of ['', '5', 'm', '1.5h', '500ms', '0s', '5 m'])
    assert.equal(parseDuration(bad), undefined, bad);
  assert.equal(formatDuration(3 * 86400), '3d');
  assert.equal(formatDuration(7 * 86400), '7d');
  assert.equal(formatDuration(3915), '1h5m15s');
});
