import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadRuleFile, RuleFileError } from './load.js';

const GENERATED = new URL('../../../stack/generated/rules/canopy.rules.yml', import.meta.url);

test('the generated canopy.rules.yml loads without errors', () => {
  const groups = loadRuleFile(readFileSync(GENERATED, 'utf8'), 'canopy.rules.yml');
  assert.ok(groups.length > 0);
  const rules = groups.flatMap((g) => g.rules);
  assert.ok(rules.some((r) => r.kind === 'recording'));
  assert.ok(rules.some((r) => r.kind === 'alerting' && r.forMs > 0));
  for (const g of groups) assert.ok(g.intervalMs > 0, g.name);
});

test('a minimal file: defaults', () => {
  const [g] = loadRuleFile(
    'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n',
    'f.yml',
  );
  assert.equal(g!.intervalMs, 60_000);
  assert.equal(g!.limit, 0);
  const r = g!.rules[0]!;
  assert.equal(r.kind, 'alerting');
  assert.equal(r.kind === 'alerting' && r.forMs, 0);
  assert.deepEqual(loadRuleFile('', 'empty.yml'), []);
});

const bad: Array<[string, string, RegExp]> = [
  ['bad YAML', 'groups:\n  - name: g\n   rules: [', /^f\.yml:\d+:\d+: bad YAML: /],
  ['unknown top key', 'grops: []\n', /^f\.yml: unknown key "grops"/],
  [
    'unknown group key',
    'groups:\n  - name: g\n    intervall: 1m\n    rules: []\n',
    /^f\.yml:g: unknown key "intervall"/,
  ],
  ['group without name', 'groups:\n  - rules: []\n', /^f\.yml:groups\[0\]: "name" is required/],
  [
    'duplicate group',
    'groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n',
    /^f\.yml:g: duplicate group name/,
  ],
  [
    'bad interval',
    'groups:\n  - name: g\n    interval: 1.5m\n    rules: []\n',
    /^f\.yml:g: interval: "1\.5m" is not a duration/,
  ],
  [
    'unknown rule key',
    'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        severity: page\n',
    /^f\.yml:g:A: unknown key "severity"/,
  ],
  [
    'keep_firing_for on a recording rule',
    'groups:\n  - name: g\n    rules:\n      - record: r:x\n        expr: up\n        keep_firing_for: 5m\n',
    /^f\.yml:g:r:x: "keep_firing_for" is only for alerting rules/,
  ],
  [
    'bad keep_firing_for',
    'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        keep_firing_for: soon\n',
    /^f\.yml:g:A: keep_firing_for: "soon" is not a duration/,
  ],
  [
    'PromQL parse error',
    'groups:\n  - name: g\n    rules:\n      - record: r:x\n        expr: sum(rate(x[5m])\n',
    /^f\.yml:g:r:x: expr: .*parse error/,
  ],
  [
    'range vector expr',
    'groups:\n  - name: g\n    rules:\n      - record: r:x\n        expr: x[5m]\n',
    /^f\.yml:g:r:x: expr must return an instant vector or a scalar, not a matrix/,
  ],
  [
    'bad for',
    'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        for: 5 minutes\n',
    /^f\.yml:g:A: for: "5 minutes" is not a duration/,
  ],
  [
    'both record and alert',
    'groups:\n  - name: g\n    rules:\n      - alert: A\n        record: b\n        expr: up\n',
    /needs exactly one of "record" and "alert"/,
  ],
  [
    'no expr',
    'groups:\n  - name: g\n    rules:\n      - record: a:b\n',
    /^f\.yml:g:a:b: "expr" is required/,
  ],
  [
    'bad metric name',
    'groups:\n  - name: g\n    rules:\n      - record: a-b\n        expr: up\n',
    /^f\.yml:g:a-b: "record" must be a valid metric name/,
  ],
  [
    'for on recording',
    'groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n        for: 1m\n',
    /^f\.yml:g:a: "for" is only for alerting rules/,
  ],
  [
    'bad label name',
    'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        labels:\n          bad-name: x\n',
    /^f\.yml:g:A: labels: invalid name "bad-name"/,
  ],
  [
    'bad template',
    'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up\n        annotations:\n          summary: "{{ $value | nosuch }}"\n',
    /^f\.yml:g:A: annotations\.summary: bad template: function "nosuch" not defined/,
  ],
  [
    'unnamed rule',
    'groups:\n  - name: g\n    rules:\n      - expr: up\n',
    /^f\.yml:g:rules\[0\]: a rule needs exactly one/,
  ],
];

for (const [name, text, re] of bad)
  test(`bad rule file: ${name}`, () => {
    assert.throws(
      () => loadRuleFile(text, 'f.yml'),
      (e: unknown) => e instanceof RuleFileError && re.test(e.message),
    );
  });
