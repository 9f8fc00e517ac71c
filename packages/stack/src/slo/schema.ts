/**
 * JSON Schema (draft-07, what editors' YAML plugins read best) of the `slos:` section of
 * canopy.yaml. It describes shapes and the catalog's histograms; the rest (known metrics,
 * bucket bounds, reachability) is checked by `parseSlos` and `canopy check rules`.
 */
import { allMetrics, DEFAULT_SLO_WINDOW } from '@canopy/catalog';

const DURATION = {
  type: 'string',
  pattern: '^([0-9]+(y|w|d|h|m|s))+$',
  description: 'A Prometheus duration: 30s, 5m, 1h30m, 30d.',
};

const COMMON = {
  name: {
    type: 'string',
    pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
    description: 'Unique kebab-case name; the slo label of its rules and alerts.',
  },
  service: {
    type: 'string',
    description: 'The service target label the SLO is about (relay, replay, storage, host, …).',
  },
  description: { type: 'string', minLength: 1, description: 'The objective in words.' },
  target: {
    type: 'number',
    exclusiveMinimum: 0,
    exclusiveMaximum: 1,
    description: 'Share of good events (or good time slices) in the window, e.g. 0.99.',
  },
  window: { ...DURATION, default: DEFAULT_SLO_WINDOW, description: 'Compliance window.' },
};

const TIER = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'severity', 'long', 'short'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]+$' },
    severity: { enum: ['page', 'ticket'] },
    long: DURATION,
    short: DURATION,
    burnRate: { type: 'number', exclusiveMinimum: 0, description: 'Multiple of the budget rate.' },
    errorRatio: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 1,
      description: 'Fraction of events failing, whatever the target.',
    },
  },
  oneOf: [{ required: ['burnRate'] }, { required: ['errorRatio'] }],
};

const TIERS = {
  type: 'array',
  minItems: 1,
  items: { $ref: '#/definitions/tier' },
  description: 'Burn-rate alert tiers (default: fast, 1h, 6h, 1d, 3d).',
};

function kind(k: string, required: string[], properties: Record<string, unknown>) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'service', 'description', 'kind', 'target', ...required],
    properties: { ...COMMON, kind: { const: k }, ...properties },
  };
}

/**
 * The JSON Schema of a canopy.yaml with an `slos:` list (other sections are left to their
 * own schemas, so any other top-level key is allowed).
 *
 * @example JSON.stringify(sloJsonSchema(), null, 2) // what `canopy gen slo-schema` writes
 */
export function sloJsonSchema(): Record<string, unknown> {
  const histograms = allMetrics()
    .filter((m) => m.type === 'histogram')
    .map((m) => m.name);
  const example = {
    type: 'object',
    additionalProperties: false,
    required: ['series', 'value', 'labels'],
    properties: {
      series: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['series', 'good', 'bad'],
          properties: {
            series: { type: 'string' },
            good: { type: 'number' },
            bad: { type: 'number' },
            counter: { type: 'boolean' },
          },
        },
      },
      value: {
        type: 'object',
        additionalProperties: false,
        required: ['good', 'bad'],
        properties: { good: { type: 'number' }, bad: { type: 'number' } },
      },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      range: DURATION,
      silent: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['series', 'value'],
          properties: { series: { type: 'string' }, value: { type: 'number' } },
        },
      },
    },
    description: 'Inputs on each side of the threshold, for the generated promtool tests.',
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://canopy.invalid/schemas/canopy-slos.json',
    title: 'Canopy SLO spec (slos: in canopy.yaml)',
    type: 'object',
    properties: {
      slos: {
        type: 'array',
        items: {
          oneOf: [
            { $ref: '#/definitions/ratio' },
            { $ref: '#/definitions/latency' },
            { $ref: '#/definitions/gauge' },
          ],
        },
      },
    },
    definitions: {
      tier: TIER,
      ratio: kind('ratio', ['good', 'total'], {
        good: {
          type: 'string',
          description: 'Counter selector of good events, or an expression with $window.',
        },
        total: {
          type: 'string',
          description: 'Counter selector of all events, or an expression with $window.',
        },
        tiers: TIERS,
      }),
      latency: kind('latency', ['metric', 'threshold'], {
        metric: { enum: histograms, description: 'Histogram name (without _bucket).' },
        threshold: { type: 'number', description: 'A bucket bound of the histogram.' },
        tiers: TIERS,
      }),
      gauge: kind('gauge', ['expr', 'comparator', 'threshold', 'sustained', 'severity'], {
        expr: { type: 'string', description: 'PromQL expression.' },
        comparator: { enum: ['<', '<=', '>', '>='], description: 'The good side.' },
        threshold: { type: 'number' },
        sustained: { ...DURATION, description: 'How long a violation lasts before it alerts.' },
        severity: { enum: ['page', 'ticket'] },
        unit: { enum: ['seconds', 'ratio', 'number'] },
        example,
      }),
    },
  };
}
