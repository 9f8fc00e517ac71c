import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, TemplateError, type TemplateSample } from './template.js';
import { goG, goV, humanize, humanizeDuration, humanizePercentage, sprintf } from './gofmt.js';

const labels = { instance: 'relay-1:9100', service: 'relay' };
const budget: TemplateSample[] = [{ Labels: { slo: 'x' }, Value: 0.8765 }];

const cases: Array<[string, number, string]> = [
  ['{{ $value }}', 0, '0'],
  ['up = {{ $value }}', 0, 'up = 0'],
  ['{{ $value }}', 1.5, '1.5'],
  ['{{ $value }}', 1e-5, '1e-05'],
  ['{{ $value }}', 1e21, '1e+21'],
  ['{{ $labels.instance }} down', 1, 'relay-1:9100 down'],
  ['[{{ $labels.missing }}]', 1, '[]'],
  ['{{ .Labels.service }}/{{ .Value }}', 2, 'relay/2'],
  ['{{ $value | humanize }}', 1234567, '1.235M'],
  ['{{ $value | humanize }}', 0.0025, '2.5m'],
  ['{{ humanize $value }}', 0, '0'],
  ['{{ $value | humanizePercentage }}', 0.123456, '12.35%'],
  ['{{ $value | humanizePercentage }}', 1, '100%'],
  ['{{ $value | humanizeDuration }}', 90061, '1d 1h 1m 1s'],
  ['{{ $value | humanizeDuration }}', 3725, '1h 2m 5s'],
  ['{{ $value | humanizeDuration }}', 65, '1m 5s'],
  ['{{ $value | humanizeDuration }}', 1.5, '1.5s'],
  ['{{ $value | humanizeDuration }}', 0.25, '250ms'],
  ['{{ $value | humanizeDuration }}', 0, '0s'],
  ['{{ $value | printf "%.2f" }}', 3.14159, '3.14'],
  ['{{ printf "%.2f" $value }}', 2, '2.00'],
  ['{{ $value | printf "%.4g" }}×', 14.4, '14.4×'],
  ['{{ $value | printf "%.4g" }}', 123456, '1.235e+05'],
  ['{{ $value | printf "%.4g" }}', 2.000001, '2'],
  ['{{ $externalURL }}/d/relay', 0, 'http://hub:9090/d/relay'],
  [
    '{{ with query "slo:error_budget_remaining:ratio" }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }} left',
    0,
    '87.65% left',
  ],
  ['{{ with query "nothing" }}{{ . | first | value }}{{ else }}unknown{{ end }}', 0, 'unknown'],
  ['{{ query "slo:x" | first | label "slo" }}', 0, 'x'],
  ['{{ if $labels.service }}svc{{ else }}none{{ end }}', 0, 'svc'],
  ['{{- " a " -}} b', 0, ' a b'],
  ['{{ $labels.service | toUpper }}', 0, 'RELAY'],
];

for (const [src, value, want] of cases)
  test(`template ${src} with ${value}`, () => {
    const t = compileTemplate(src);
    const got = t.expand({
      labels,
      value,
      externalURL: 'http://hub:9090',
      query: (e) => (e === 'nothing' ? [] : budget),
    });
    assert.equal(got, want);
  });

test('template compile errors', () => {
  for (const [src, re] of [
    ['{{ $value | nosuch }}', /function "nosuch" not defined/],
    ['{{ if $value }}x', /has no \{\{end\}\}/],
    ['{{ end }}', /unexpected \{\{end\}\}/],
    ['{{ $value', /unclosed action/],
    ['{{ range $labels }}{{ end }}', /not supported/],
  ] as const)
    assert.throws(
      () => compileTemplate(src),
      (e: unknown) => e instanceof TemplateError && re.test((e as Error).message),
      src,
    );
});

test('template runtime errors', () => {
  assert.throws(
    () => compileTemplate('{{ query "x" | first }}').expand({ labels, value: 0, query: () => [] }),
    /first\(\) called on vector with no elements/,
  );
  assert.throws(
    () => compileTemplate('{{ $nope }}').expand({ labels, value: 0 }),
    /undefined variable/,
  );
});

test('go number formatting', () => {
  assert.equal(goV(100), '100');
  assert.equal(goV(NaN), 'NaN');
  assert.equal(goV(-Infinity), '-Inf');
  assert.equal(goG(0.000012345, 3), '1.23e-05');
  assert.equal(goG(1.5, 4), '1.5');
  assert.equal(sprintf('%d%% of %s', [5, 'x']), '5% of x');
  assert.equal(humanize(Infinity), '+Inf');
  assert.equal(humanize('2048'), '2.048k');
  assert.equal(humanizePercentage(0.5), '50%');
  assert.equal(humanizeDuration(-65), '-1m 5s');
});
