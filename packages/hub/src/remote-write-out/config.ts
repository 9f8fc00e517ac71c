/**
 * The `remote_write:` section of canopy.yaml, in Prometheus's vocabulary: where the hub
 * forwards what it ingests, how it authenticates (secrets only from files), what it leaves
 * out (`write_relabel_configs`, the catalog filter, the series limit) and how much it keeps
 * while an endpoint is down.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseBytes, parseDuration } from '../scrape/units.js';

/** Relabel actions supported in `write_relabel_configs`. */
export const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'labeldrop', 'labelkeep'] as const;

/** One resolved `write_relabel_configs` entry (Prometheus defaults filled in). */
export interface RelabelRule {
  readonly action: (typeof RELABEL_ACTIONS)[number];
  readonly source_labels: readonly string[];
  readonly separator: string;
  /** The regex, fully anchored. */
  readonly regex: RegExp;
  readonly target_label: string;
  readonly replacement: string;
}

/** One resolved endpoint. Durations in ms, sizes in bytes. */
export interface RemoteWriteEndpoint {
  /** Name in self-metrics and the queue folder; default: the first 6 hex of the URL's SHA-256. */
  readonly name: string;
  readonly url: string;
  readonly remote_timeout: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly basic_auth?: { readonly username: string; readonly password_file: string };
  readonly bearer_token_file?: string;
  readonly write_relabel_configs: readonly RelabelRule[];
  /** Forward only catalog metrics (and scrape, rule and Canopy self series). Default true. */
  readonly catalog_only: boolean;
  /** Distinct series forwarded at most; a new series past it is dropped. 0 = no limit. */
  readonly series_limit: number;
  readonly queue: {
    /** Bytes the durable queue keeps (compressed); the oldest go first when full. */
    readonly max_bytes: number;
    readonly max_samples_per_send: number;
    readonly min_backoff: number;
    readonly max_backoff: number;
  };
}

/** Header names the hub sets itself; a config may not override them. */
const RESERVED_HEADERS = new Set([
  'content-encoding',
  'content-type',
  'content-length',
  'x-prometheus-remote-write-version',
  'user-agent',
  'authorization',
  'host',
]);

const duration = (example: string) =>
  z.string({ error: `expected a duration such as "${example}"` }).transform((s, ctx) => {
    try {
      const ms = parseDuration(s);
      if (ms <= 0) throw new Error(`expected a duration more than 0 such as "${example}"`);
      return ms;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

const bytes = z
  .union([z.string(), z.number()], { error: 'expected a size such as "512MiB"' })
  .transform((s, ctx) => {
    try {
      const n = parseBytes(s);
      if (n < 1_048_576) throw new Error(`expected at least 1MiB, got "${s}"`);
      return n;
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

const file = (what: string) =>
  z
    .string({ error: `expected the path of a file holding the ${what}` })
    .min(1, { error: `expected the path of a file holding the ${what}` });

const Relabel = z
  .strictObject({
    action: z
      .enum(RELABEL_ACTIONS, {
        error: `expected one of ${RELABEL_ACTIONS.join(', ')} (the actions remote write supports)`,
      })
      .default('replace'),
    source_labels: z
      .array(z.string({ error: 'expected a label name' }), {
        error: 'expected a list of label names, e.g. [__name__]',
      })
      .default([]),
    separator: z.string({ error: 'expected a string' }).default(';'),
    regex: z
      .string({ error: 'expected a regular expression (RE2 syntax), e.g. "relay_.*"' })
      .default('(.*)')
      .transform((s, ctx) => {
        try {
          return new RegExp(`^(?:${s})$`);
        } catch (e) {
          ctx.addIssue({
            code: 'custom',
            message: `not a valid regular expression: ${(e as Error).message}`,
          });
          return z.NEVER;
        }
      }),
    target_label: z.string({ error: 'expected a label name' }).default(''),
    replacement: z.string({ error: 'expected a string (may use $1, ${1}, ${name})' }).default('$1'),
  })
  .superRefine((r, ctx) => {
    if (r.action === 'replace' && r.target_label === '')
      ctx.addIssue({
        code: 'custom',
        path: ['target_label'],
        message: 'required for action replace: the label to write',
      });
    if ((r.action === 'keep' || r.action === 'drop') && r.source_labels.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['source_labels'],
        message: `required for action ${r.action}: the labels the regex is matched against, e.g. [__name__]`,
      });
  });

const Queue = z
  .strictObject({
    max_bytes: bytes.default(268_435_456),
    max_samples_per_send: z
      .number({ error: 'expected a whole number of samples (1 to 100000)' })
      .int({ error: 'expected a whole number of samples (1 to 100000)' })
      .min(1, { error: 'expected a whole number of samples (1 to 100000)' })
      .max(100_000, { error: 'expected a whole number of samples (1 to 100000)' })
      .default(2000),
    min_backoff: duration('30ms').default(30),
    max_backoff: duration('5s').default(5000),
  })
  .prefault({});

const Endpoint = z
  .strictObject({
    url: z
      .string({
        error: (i) =>
          i.input === undefined
            ? 'required: the endpoint URL, e.g. "http://127.0.0.1:8428/api/v1/write"'
            : 'expected a URL such as "http://127.0.0.1:8428/api/v1/write"',
      })
      .refine(
        (s) => {
          try {
            const u = new URL(s);
            return u.protocol === 'http:' || u.protocol === 'https:';
          } catch {
            return false;
          }
        },
        {
          error: 'expected an http:// or https:// URL such as "http://127.0.0.1:8428/api/v1/write"',
        },
      )
      .refine((s) => !/^[a-z]+:\/\/[^/]*@/i.test(s), {
        error:
          'credentials in the URL would end up in logs: move them to basic_auth (username, password_file)',
      }),
    name: z
      .string({ error: 'expected a name of letters, digits, "_" or "-"' })
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a name of letters, digits, "_" or "-"' })
      .optional(),
    remote_timeout: duration('30s').default(30_000),
    headers: z
      .record(z.string(), z.string({ error: 'expected a header value (a string)' }), {
        error: 'expected a map of header names to values',
      })
      .default({})
      .superRefine((h, ctx) => {
        for (const k of Object.keys(h))
          if (RESERVED_HEADERS.has(k.toLowerCase()))
            ctx.addIssue({
              code: 'custom',
              path: [k],
              message: `the hub sets ${k} itself (use basic_auth or bearer_token_file for Authorization); remove it`,
            });
      }),
    basic_auth: z
      .strictObject({
        username: z.string({ error: 'expected the user name' }),
        password_file: file('password'),
      })
      .optional(),
    bearer_token_file: file('bearer token').optional(),
    write_relabel_configs: z
      .array(Relabel, { error: 'expected a list of relabel rules' })
      .default([]),
    catalog_only: z.boolean({ error: 'expected true or false' }).default(true),
    series_limit: z
      .number({ error: 'expected a whole number of series (0 = no limit)' })
      .int({ error: 'expected a whole number of series (0 = no limit)' })
      .min(0, { error: 'expected a whole number of series (0 = no limit)' })
      .optional(),
    queue: Queue,
  })
  .superRefine((e, ctx) => {
    if (e.basic_auth !== undefined && e.bearer_token_file !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['bearer_token_file'],
        message: 'basic_auth and bearer_token_file both set: an endpoint takes one of them',
      });
    if (e.queue.min_backoff > e.queue.max_backoff)
      ctx.addIssue({
        code: 'custom',
        path: ['queue', 'min_backoff'],
        message: 'must not be more than queue.max_backoff',
      });
  });

/**
 * Schema of `remote_write:` (a list of endpoints). The CLI embeds it in canopy.yaml's schema;
 * {@link resolveRemoteWrite} fills in names and the series limit.
 */
export const RemoteWriteSchema = z.array(Endpoint, {
  error: 'expected a list of endpoints, each with a url',
});

/** `remote_write:` as parsed by {@link RemoteWriteSchema}. */
export type RemoteWriteConfig = z.infer<typeof RemoteWriteSchema>;

/**
 * Names each endpoint (default: hash of the URL) and applies the default series limit;
 * throws when two endpoints share a name.
 *
 * @example resolveRemoteWrite(RemoteWriteSchema.parse([{ url: 'http://vm:8428/api/v1/write' }]), 10000)
 */
export function resolveRemoteWrite(
  c: RemoteWriteConfig,
  defaultSeriesLimit = 0,
): RemoteWriteEndpoint[] {
  const seen = new Set<string>();
  return c.map((e, i) => {
    const name = e.name ?? createHash('sha256').update(e.url).digest('hex').slice(0, 6);
    if (seen.has(name))
      throw new Error(
        `remote_write.${i}.name: "${name}" is used by an earlier endpoint; give each endpoint its own name`,
      );
    seen.add(name);
    return {
      name,
      url: e.url,
      remote_timeout: e.remote_timeout,
      headers: e.headers,
      ...(e.basic_auth !== undefined ? { basic_auth: e.basic_auth } : {}),
      ...(e.bearer_token_file !== undefined ? { bearer_token_file: e.bearer_token_file } : {}),
      write_relabel_configs: e.write_relabel_configs,
      catalog_only: e.catalog_only,
      series_limit: e.series_limit ?? defaultSeriesLimit,
      queue: e.queue,
    };
  });
}
