import { maxSeries, type MetricSpec, type LabelSpec } from '@canopy/telemetry';
import { groups, host, CPU_MODES, type GroupName } from '@canopy/catalog';
import { budgetReport } from './budget.js';
import { defaultConfig } from './config.js';

const TITLES: Record<GroupName, string> = {
  relay: 'relay',
  replay: 'replay',
  storage: 'storage',
  actors: 'actors (every service)',
  process: 'process and Node.js runtime (every service)',
  tracing: 'tracing: spans exported and dropped (every service, traced or not)',
};

function labelText(name: string, l: LabelSpec): string {
  switch (l.kind) {
    case 'enum':
      return `\`${name}\`: ${[...l.values, ...(l.values.includes('other') ? [] : ['other'])].map((v) => `\`${v}\``).join(' ')}`;
    case 'buckets':
      return `\`${name}\`: ≤ ${l.bounds.join(', ')}, +Inf, \`other\``;
    case 'topk':
      return `\`${name}\`: first ${l.k} values seen, then \`other\``;
  }
}

function row(m: MetricSpec): string {
  const labels = m.labels
    ? Object.entries(m.labels)
        .map(([k, v]) => labelText(k, v))
        .join('<br>')
    : '—';
  const type = m.type === 'histogram' ? `histogram (${m.buckets.join(', ')})` : m.type;
  return `| \`${m.name}\` | ${type} | ${m.unit ?? '—'} | ${labels} | ${maxSeries(m)} | ${m.help} |`;
}

/** Renders METRICS.md from the catalog. The checked-in file is compared with this in a test. */
export function renderMetricsDoc(): string {
  let s =
    '# Metrics\n\n' +
    'Generated from the catalog (`packages/catalog`) by `npm run gen:docs`; do not edit by hand.\n\n' +
    'Max series counts what a Prometheus server ingests from an OpenMetrics scrape: a counter is\n' +
    '`_total` + `_created`; a histogram is its buckets, `+Inf`, `_sum`, `_count` and `_created`.\n' +
    'Every label has a closed value set; unknown values fold into `other`.\n';
  for (const g of Object.keys(groups) as GroupName[]) {
    s += `\n## ${TITLES[g]}\n\n| metric | type | unit | labels | max series | help |\n|---|---|---|---|---|---|\n`;
    for (const m of groups[g]) s += row(m) + '\n';
  }
  s += `\n## host (node_exporter names)\n\nFrom node_exporter or the hub's host collector. Series per host: one, one per CPU × mode (${CPU_MODES.length} modes), or one per filesystem.\n\n| metric | type | series | labels | help |\n|---|---|---|---|---|\n`;
  for (const m of host)
    s += `| \`${m.name}\` | ${m.type} | per ${m.per.replace('_', ' × ')} | ${m.labels.map((l) => `\`${l}\``).join(' ') || '—'} | ${m.help} |\n`;
  const r = budgetReport(defaultConfig());
  s +=
    '\n## Budget of the default deployment\n\n| unit | instances | max series per instance | total |\n|---|---|---|---|\n';
  for (const u of r.units) s += `| ${u.unit} | ${u.instances} | ${u.perInstance} | ${u.total} |\n`;
  s += `| **all** | | | **${r.total}** of ${r.budget} |\n`;
  return s;
}
