/**
 * Alloy configs. Stack A (managed): metrics scraped, cut to the catalog and PII-relabelled,
 * remote-written to Grafana Cloud; journald logs of the Canopy units parsed and scrubbed, to
 * Grafana Cloud Loki; OTLP traces batched, to Grafana Cloud Tempo. Stack B (self-hosted) uses
 * the logs half only, towards its own Loki. Endpoints and user names come from the
 * environment (`sys.env`), passwords from files (`local.file`, marked secret), so the
 * generated file holds no secret.
 */
import { catalogKeepRelabel, type RelabelConfig } from '../scrape/keep.js';
import { scrapeJobs, type ScrapeConfigOptions } from '../scrape/prometheus.js';
import { attr, block, expr, raw, renderAlloy, type Block, type Value } from './river.js';

/** The config file name `canopy gen --stack` writes. */
export const ALLOY_FILE = 'config.alloy';

/** Default folder of the credential files (systemd `LoadCredential`/NixOS secrets land here). */
export const DEFAULT_ALLOY_SECRETS_DIR = '/run/credentials/alloy.service';

/** Environment variables the managed config reads (set them in Alloy's environment file). */
export const ALLOY_ENV = {
  promUrl: 'CANOPY_PROM_REMOTE_WRITE_URL',
  promUser: 'CANOPY_PROM_USER',
  lokiUrl: 'CANOPY_LOKI_PUSH_URL',
  lokiUser: 'CANOPY_LOKI_USER',
  tempoEndpoint: 'CANOPY_TEMPO_ENDPOINT',
  tempoUser: 'CANOPY_TEMPO_USER',
} as const;

/** The credential file every Grafana Cloud endpoint authenticates with (an access policy token). */
export const GRAFANA_CLOUD_TOKEN_FILE = 'grafana-cloud-token';

/** Options of the Alloy renderers. */
export interface AlloyOptions {
  /** What to scrape (stack A only). */
  readonly scrape: ScrapeConfigOptions;
  /** The scrub rule pack as Alloy `stage.replace` blocks (`renderAlloyScrubStages`). Default none. */
  readonly scrubStages?: string;
  /** Folder of credential files. Default {@link DEFAULT_ALLOY_SECRETS_DIR}. */
  readonly secretsDir?: string;
  /** Where the OTLP/HTTP receiver listens. Default `127.0.0.1:4318`. */
  readonly otlpHttpListen?: string;
  /** Loki push URL for the self-hosted logs config. Default `http://127.0.0.1:3100/loki/api/v1/push`. */
  readonly lokiUrl?: string;
}

const env = (name: string) => expr(`sys.env(${JSON.stringify(name)})`);

function relabelRule(r: RelabelConfig): Block {
  return block('rule', undefined, [
    r.source_labels !== undefined ? attr('source_labels', [...r.source_labels]) : undefined,
    r.separator !== undefined ? attr('separator', r.separator) : undefined,
    r.regex !== undefined ? attr('regex', r.regex) : undefined,
    r.target_label !== undefined ? attr('target_label', r.target_label) : undefined,
    r.replacement !== undefined ? attr('replacement', r.replacement) : undefined,
    r.action !== undefined ? attr('action', r.action) : undefined,
  ]);
}

/**
 * Scrape components, one per job of the scrape config, forwarding to `prometheus.relabel.canopy`
 * (the PII rules, then the catalog keep rule) and on to `forwardTo`.
 */
function metricBlocks(o: ScrapeConfigOptions, forwardTo: string): Block[] {
  const blocks: Block[] = [];
  for (const job of scrapeJobs(o)) {
    const targets: Value[] = job.static_configs.flatMap((s) =>
      s.targets.map((t) => ({ __address__: t, ...s.labels })),
    );
    blocks.push(
      block('prometheus.scrape', job.job_name.replace(/-/g, '_'), [
        attr('job_name', job.job_name),
        attr('targets', targets),
        attr('forward_to', [expr('prometheus.relabel.canopy.receiver')]),
        attr('scrape_interval', `${o.intervalSeconds}s`),
        attr('scrape_timeout', `${o.timeoutSeconds ?? Math.min(10, o.intervalSeconds)}s`),
        attr('metrics_path', job.metrics_path),
        job.scheme !== undefined ? attr('scheme', job.scheme) : undefined,
        // Alloy counts samples before relabelling (it has no metric_relabel_configs in the
        // scrape), so an exporter whose extra metrics the keep rule drops gets no limit.
        job.job_name.startsWith('host') ? undefined : attr('sample_limit', job.sample_limit),
      ]),
    );
  }
  blocks.push(
    block('prometheus.relabel', 'canopy', [
      attr('forward_to', [expr(forwardTo)]),
      ...[...(o.piiRelabel ?? []), catalogKeepRelabel()].map(relabelRule),
    ]),
  );
  return blocks;
}

/** journald → service label → JSON parse, scrub, level label → `writeTo`. */
function logBlocks(o: AlloyOptions, writeTo: string): Block[] {
  return [
    block('loki.relabel', 'journal', [
      attr('forward_to', []),
      block('rule', undefined, [
        attr('source_labels', ['__journal__systemd_unit']),
        attr('regex', 'canopy-.+\\.service'),
        attr('action', 'keep'),
      ]),
      block('rule', undefined, [
        attr('source_labels', ['__journal__systemd_unit']),
        attr('regex', 'canopy-(relay|replay|storage)(-[^.]+)?\\.service'),
        attr('target_label', 'service'),
        attr('replacement', '$1'),
      ]),
      block('rule', undefined, [
        attr('source_labels', ['__journal__systemd_unit']),
        attr('target_label', 'unit'),
      ]),
    ]),
    block('loki.source.journal', 'canopy', [
      attr('forward_to', [expr('loki.process.canopy.receiver')]),
      attr('relabel_rules', expr('loki.relabel.journal.rules')),
      attr('labels', { job: 'canopy' }),
    ]),
    block('loki.process', 'canopy', [
      attr('forward_to', [expr(writeTo)]),
      // pino lines are JSON: lift the level and the trace id; the message stays in the line.
      block('stage.json', undefined, [
        attr('expressions', { level: 'level', trace_id: 'trace_id' }),
      ]),
      // The scrub rule pack (peer IDs, multiaddrs, IPs, CIDs) for anything that escaped the
      // services' own scrubber; trace_id and span_id are kept.
      o.scrubStages !== undefined && o.scrubStages.trim() !== '' ? raw(o.scrubStages) : undefined,
      block('stage.labels', undefined, [attr('values', { level: '' })]),
    ]),
  ];
}

const secret = (dir: string, name: string, file: string): Block =>
  block('local.file', name, [attr('filename', `${dir}/${file}`), attr('is_secret', true)]);

/**
 * Stack A: the whole Alloy config for Grafana Cloud.
 *
 * @example renderManagedAlloy({ scrape: { targets, intervalSeconds: 15 } })
 */
export function renderManagedAlloy(o: AlloyOptions): string {
  const dir = o.secretsDir ?? DEFAULT_ALLOY_SECRETS_DIR;
  const token = expr('local.file.grafana_cloud_token.content');
  const blocks: Block[] = [
    secret(dir, 'grafana_cloud_token', GRAFANA_CLOUD_TOKEN_FILE),
    ...metricBlocks(o.scrape, 'prometheus.remote_write.grafana_cloud.receiver'),
    block('prometheus.remote_write', 'grafana_cloud', [
      block('endpoint', undefined, [
        attr('url', env(ALLOY_ENV.promUrl)),
        block('basic_auth', undefined, [
          attr('username', env(ALLOY_ENV.promUser)),
          attr('password', token),
        ]),
      ]),
    ]),
    ...logBlocks(o, 'loki.write.grafana_cloud.receiver'),
    block('loki.write', 'grafana_cloud', [
      block('endpoint', undefined, [
        attr('url', env(ALLOY_ENV.lokiUrl)),
        block('basic_auth', undefined, [
          attr('username', env(ALLOY_ENV.lokiUser)),
          attr('password', token),
        ]),
      ]),
    ]),
    block('otelcol.receiver.otlp', 'canopy', [
      block('http', undefined, [attr('endpoint', o.otlpHttpListen ?? '127.0.0.1:4318')]),
      block('output', undefined, [attr('traces', [expr('otelcol.processor.batch.canopy.input')])]),
    ]),
    block('otelcol.processor.batch', 'canopy', [
      block('output', undefined, [attr('traces', [expr('otelcol.exporter.otlp.tempo.input')])]),
    ]),
    block('otelcol.auth.basic', 'tempo', [
      attr('username', env(ALLOY_ENV.tempoUser)),
      attr('password', token),
    ]),
    block('otelcol.exporter.otlp', 'tempo', [
      block('client', undefined, [
        attr('endpoint', env(ALLOY_ENV.tempoEndpoint)),
        attr('auth', expr('otelcol.auth.basic.tempo.handler')),
      ]),
    ]),
  ];
  return renderAlloy(blocks, [
    'Grafana Alloy for Canopy, stack A (Grafana Cloud): metrics, logs and traces.',
    'Generated by `canopy gen --stack managed`; do not edit.',
    `Environment: ${Object.values(ALLOY_ENV).join(', ')}.`,
    `Credential: ${dir}/${GRAFANA_CLOUD_TOKEN_FILE} (a Grafana Cloud access policy token).`,
  ]);
}

/**
 * Stack B's log shipping: journald of the Canopy units, parsed and scrubbed, to the local Loki.
 *
 * @example renderSelfHostedLogsAlloy({ scrape: { targets: [], intervalSeconds: 15 } })
 */
export function renderSelfHostedLogsAlloy(o: AlloyOptions): string {
  const blocks: Block[] = [
    ...logBlocks(o, 'loki.write.local.receiver'),
    block('loki.write', 'local', [
      block('endpoint', undefined, [
        attr('url', o.lokiUrl ?? 'http://127.0.0.1:3100/loki/api/v1/push'),
      ]),
    ]),
  ];
  return renderAlloy(blocks, [
    'Grafana Alloy for Canopy, stack B: journald logs of the Canopy units to the local Loki.',
    'Generated by `canopy gen --stack self-hosted`; do not edit.',
  ]);
}
