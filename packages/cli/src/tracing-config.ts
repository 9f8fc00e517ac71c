/**
 * Tracing settings of the reference services: `canopy.yaml`'s `tracing:` section, the
 * service commands' `--otlp-endpoint` / `--trace-sample-ratio` / `--otlp-headers-file`
 * flags and the standard `OTEL_EXPORTER_OTLP_*` variables, resolved to the options
 * `startRelay`/`startReplay`/`startStorage` take. See docs/tracing.md.
 * @module
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Share of new traces sampled under `canopy up` when the config names none. */
export const DEFAULT_SAMPLE_RATIO = 0.1;

/** The services a ratio can be given for. */
export const TRACED_SERVICES = ['relay', 'replay', 'storage'] as const;

const RATIO_ERROR = 'expected a sample ratio from 0 to 1 (0.1 = one new trace in ten)';
const Ratio = z
  .number({ error: RATIO_ERROR })
  .min(0, { error: RATIO_ERROR })
  .max(1, { error: RATIO_ERROR });

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const ENDPOINT_ERROR =
  'expected the http(s) URL of an OTLP/HTTP traces receiver, e.g. http://127.0.0.1:4318/v1/traces';

/** Schema of `tracing:` in `canopy.yaml`. */
export const TracingConfigSchema = z.strictObject({
  /** Default true; false: the services create no spans. */
  enabled: z.boolean({ error: 'expected true or false' }).default(true),
  /** Default under `canopy up`: the hub's `/v1/traces`. */
  endpoint: z
    .string({ error: ENDPOINT_ERROR })
    .refine(isHttpUrl, { error: ENDPOINT_ERROR })
    .optional(),
  /** One ratio for all services, or one per service (missing ones: {@link DEFAULT_SAMPLE_RATIO}). */
  sample_ratio: z
    .union(
      [
        Ratio,
        z.strictObject({
          relay: Ratio.optional(),
          replay: Ratio.optional(),
          storage: Ratio.optional(),
        }),
      ],
      {
        error:
          'expected a sample ratio from 0 to 1, or one per service such as {relay: 0.05, replay: 0.1, storage: 1}',
      },
    )
    .optional(),
  /** A file of `Name: value` lines sent with every export (e.g. Grafana Cloud's basic auth). */
  headers_file: z.string({ error: 'expected the path of a headers file' }).optional(),
});

/** A validated `tracing:` section. */
export type TracingConfig = z.infer<typeof TracingConfigSchema>;

/** A tracing setting that cannot be used: the message names where, what and the fix. */
export class TracingSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TracingSettingsError';
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Reads an OTLP headers file: one `Name: value` per line; blank lines and `#` comments are
 * skipped. Values are secrets: no message repeats them.
 *
 * @example readHeadersFile('/etc/canopy/otlp-headers') // { Authorization: 'Basic …' }
 */
export function readHeadersFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TracingSettingsError(
      `${path}: cannot read the OTLP headers file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
        'create it with lines like "Authorization: Basic <base64 of instance-id:token>"',
    );
  }
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const c = line.indexOf(':');
    const name = c > 0 ? line.slice(0, c).trim() : '';
    const value = c > 0 ? line.slice(c + 1).trim() : '';
    if (!HEADER_NAME.test(name) || value === '')
      throw new TracingSettingsError(
        `${path}:${i + 1}: expected "Name: value" (e.g. "Authorization: Basic <base64 of instance-id:token>"); ` +
          'the line is not shown, as it may hold a secret',
      );
    out[name] = value;
  }
  if (Object.keys(out).length === 0)
    throw new TracingSettingsError(
      `${path}: no header in the OTLP headers file; add a line like "Authorization: Basic <base64 of instance-id:token>"`,
    );
  return out;
}

/** Tracing options of one service, as `startRelay`/`startReplay`/`startStorage` take them. */
export interface ServiceTracing {
  readonly endpoint: string;
  readonly sampleRatio: number;
  readonly headers?: Record<string, string>;
}

/**
 * Tracing of a service command from its flags, else the environment
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`;
 * `OTEL_SDK_DISABLED=true` turns it off). `undefined`: tracing off.
 *
 * @example serviceTracingFromFlags('relay', { 'otlp-endpoint': 'http://127.0.0.1:9400/v1/traces' })
 */
export function serviceTracingFromFlags(
  command: string,
  v: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): ServiceTracing | undefined {
  const flag = v['otlp-endpoint'];
  const tracesEnv = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const baseEnv = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  let endpoint: string | undefined;
  let from = '--otlp-endpoint';
  if (typeof flag === 'string') endpoint = flag;
  else if (tracesEnv !== undefined && tracesEnv !== '') {
    endpoint = tracesEnv;
    from = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
  } else if (baseEnv !== undefined && baseEnv !== '') {
    endpoint = baseEnv.replace(/\/+$/, '') + '/v1/traces';
    from = 'OTEL_EXPORTER_OTLP_ENDPOINT';
  }
  const ratioFlag = v['trace-sample-ratio'];
  const headersFile = v['otlp-headers-file'];
  if (endpoint === undefined) {
    if (ratioFlag !== undefined || headersFile !== undefined)
      throw new TracingSettingsError(
        `${command}: --trace-sample-ratio and --otlp-headers-file need --otlp-endpoint URL (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)`,
      );
    return undefined;
  }
  if (typeof flag !== 'string' && env.OTEL_SDK_DISABLED === 'true') return undefined;
  if (!isHttpUrl(endpoint))
    throw new TracingSettingsError(`${command}: ${from}: ${ENDPOINT_ERROR}, got "${endpoint}"`);
  let sampleRatio = 1;
  if (ratioFlag !== undefined) {
    sampleRatio =
      typeof ratioFlag === 'string' && ratioFlag.trim() !== '' ? Number(ratioFlag) : NaN;
    if (!(sampleRatio >= 0 && sampleRatio <= 1))
      throw new TracingSettingsError(
        `${command}: --trace-sample-ratio: ${RATIO_ERROR}, got "${String(ratioFlag)}"`,
      );
  }
  return {
    endpoint,
    sampleRatio,
    ...(typeof headersFile === 'string' ? { headers: readHeadersFile(headersFile) } : {}),
  };
}

/** What `canopy up` passes its services: the command-line flags per service. */
export interface UpTracing {
  /** `undefined`: the hub's `/v1/traces`. */
  readonly endpoint: string | undefined;
  readonly ratios: Readonly<Record<(typeof TRACED_SERVICES)[number], number>>;
  readonly headersFile: string | undefined;
}

/**
 * Resolves `tracing:` for `canopy up` (`undefined` when disabled). The headers file is
 * read once here, so a bad one stops `up` before anything starts.
 *
 * @example upTracing(config.tracing, 'canopy.yaml')?.ratios.relay // 0.1
 */
export function upTracing(
  t: TracingConfig | undefined,
  file = 'canopy.yaml',
): UpTracing | undefined {
  if (t?.enabled === false) return undefined;
  const r = t?.sample_ratio;
  const ratio = (s: (typeof TRACED_SERVICES)[number]): number =>
    typeof r === 'number' ? r : (r?.[s] ?? DEFAULT_SAMPLE_RATIO);
  if (t?.headers_file !== undefined) {
    try {
      readHeadersFile(t.headers_file);
    } catch (e) {
      throw new TracingSettingsError(`${file}: tracing.headers_file: ${(e as Error).message}`);
    }
  }
  return {
    endpoint: t?.endpoint,
    ratios: { relay: ratio('relay'), replay: ratio('replay'), storage: ratio('storage') },
    headersFile: t?.headers_file,
  };
}

/** The service-command flags for one service of `canopy up`. */
export function upTracingFlags(
  t: UpTracing,
  service: (typeof TRACED_SERVICES)[number],
  defaultEndpoint: string,
): string[] {
  const out = [
    '--otlp-endpoint',
    t.endpoint ?? defaultEndpoint,
    '--trace-sample-ratio',
    String(t.ratios[service]),
  ];
  if (t.headersFile !== undefined) out.push('--otlp-headers-file', t.headersFile);
  return out;
}
