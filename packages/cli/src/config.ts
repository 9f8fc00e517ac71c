import { readFileSync, existsSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { TracingConfigSchema } from './tracing-config.js';
import { HubLogsSchema, HubTracesSchema, positiveSize, wholeCount } from './signals-config.js';
import { ScrapeConfigSchema, parseDuration, parseBytes, RemoteWriteSchema } from '@canopy/hub';

/** Thrown for a config that cannot be used; the message names the file, the path and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const count = (what: string) =>
  z
    .number({ error: `expected a whole number of ${what} (0 or more)` })
    .int({ error: `expected a whole number of ${what} (0 or more)` })
    .min(0, { error: `expected a whole number of ${what} (0 or more)` });

const HostShape = z
  .strictObject({
    cores: z
      .number({ error: 'expected the number of CPU cores per host (1 or more)' })
      .int({ error: 'expected the number of CPU cores per host (1 or more)' })
      .min(1, { error: 'expected the number of CPU cores per host (1 or more)' })
      .default(2),
    filesystems: count('filesystems per host').default(1),
  })
  .default({ cores: 2, filesystems: 1 });

const Deployment = z
  .strictObject({
    relay: count('relay instances').default(1),
    replay: count('replay instances').default(1),
    storage: count('storage instances').default(1),
    hosts: count('hosts').default(1),
    host: HostShape,
  })
  .default({ relay: 1, replay: 1, storage: 1, hosts: 1, host: { cores: 2, filesystems: 1 } });

const Budget = z
  .strictObject({
    series: z
      .number({ error: 'expected the maximum number of active series (a whole number ≥ 1)' })
      .int({ error: 'expected the maximum number of active series (a whole number ≥ 1)' })
      .min(1, { error: 'expected the maximum number of active series (a whole number ≥ 1)' })
      .default(10_000),
  })
  .default({ series: 10_000 });

const RemoteWriteReceiver = z.strictObject({
  enabled: z.boolean({ error: 'expected true or false' }).default(false),
  bearer_token_file: z
    .string({ error: 'expected the path of a file holding the bearer token' })
    .min(1, { error: 'expected the path of a file holding the bearer token' })
    .optional(),
  max_body_bytes: positiveSize('32MiB').default('32MiB'),
  max_samples_per_request: wholeCount('samples').default(1_000_000),
});

const HOST_PORT = /^(?:\[[^\]]+\]|[^:\s]+):\d{1,5}$/;

const Hub = z
  .strictObject({
    listen: z
      .string({ error: 'expected HOST:PORT, e.g. 127.0.0.1:9400' })
      .regex(HOST_PORT, { error: 'expected HOST:PORT, e.g. 127.0.0.1:9400' })
      .default('127.0.0.1:9400'),
    data: z.string({ error: 'expected a folder path' }).default('.canopy'),
    retention: z
      .string({ error: 'expected a duration such as "15d"' })
      .refine(
        (s) => {
          try {
            return parseDuration(s) > 0;
          } catch {
            return false;
          }
        },
        { error: 'expected a duration such as "15d" or "12h"' },
      )
      .default('15d'),
    retention_size: z
      .union([z.string(), z.number()], { error: 'expected a size such as "2GiB" (0 = no limit)' })
      .refine(
        (s) => {
          try {
            return parseBytes(s) >= 0;
          } catch {
            return false;
          }
        },
        { error: 'expected a size such as "2GiB" (0 = no limit)' },
      )
      .default(0),
    rule_files: z
      .array(z.string({ error: 'expected a rule file path' }), {
        error: 'expected a list of Prometheus rule files',
      })
      .optional(),
    /** remote_write in and imports (docs/remote-write.md). */
    remote_write_receiver: RemoteWriteReceiver.optional(),
    /** OTLP traces in and the trace store (docs/traces-and-logs.md). */
    traces: HubTracesSchema.optional(),
    /** The log store (docs/traces-and-logs.md). */
    logs: HubLogsSchema.optional(),
  })
  .default({ listen: '127.0.0.1:9400', data: '.canopy', retention: '15d', retention_size: 0 });

/** Schema of `canopy.yaml`. Every section is optional; defaults describe one of each. */
export const ConfigSchema = z.strictObject({
  budget: Budget,
  deployment: Deployment,
  hub: Hub,
  scrape: ScrapeConfigSchema.prefault({}),
  /** Validated by `canopy check rules` / `gen rules` (see docs/slos.md). */
  slos: z.unknown().optional(),
  /** Receivers and routes; validated by `parseAlertingSpec` (see docs/alerting.md). */
  alerting: z.unknown().optional(),
  /** OTLP traces of the reference services (see docs/tracing.md). */
  tracing: TracingConfigSchema.optional(),
  /** Where the hub forwards what it ingests (docs/remote-write.md). */
  remote_write: RemoteWriteSchema.default([]),
});

/** A validated `canopy.yaml`. */
export type CanopyConfig = z.infer<typeof ConfigSchema>;

/** The config used when no file is given: one relay, replay, storage and host; 10,000 series. */
export function defaultConfig(): CanopyConfig {
  return ConfigSchema.parse({});
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? typeof v : String(v);
}

/**
 * Validates a parsed config object. `file` is only used in messages.
 *
 * @example parseConfig({ deployment: { relay: 2 } }, 'canopy.yaml').deployment.relay // 2
 */
export function parseConfig(raw: unknown, file: string): CanopyConfig {
  const r = ConfigSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    let got: unknown = raw;
    for (const k of issue.path) got = (got as Record<PropertyKey, unknown> | undefined)?.[k];
    if (issue.code === 'unrecognized_keys')
      return `${file}: ${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see docs/configuration.md)`;
    return `${file}: ${path}: ${issue.message}, got ${describe(got)}`;
  });
  throw new ConfigError(lines.join('\n'));
}

/**
 * Loads and validates a YAML config file. With no path, `./canopy.yaml` is used if it
 * exists, otherwise the defaults.
 */
export function loadConfig(path?: string): { config: CanopyConfig; file: string | undefined } {
  const file = path ?? (existsSync('canopy.yaml') ? 'canopy.yaml' : undefined);
  if (file === undefined) return { config: defaultConfig(), file };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(
      `${file}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new ConfigError(
      `${file}${pos !== undefined ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`,
    );
  }
  return { config: parseConfig(doc.toJS(), file), file };
}
