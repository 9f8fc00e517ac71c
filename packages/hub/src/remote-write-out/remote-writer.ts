/**
 * The hub's remote write out: every sample committed through the TSDB's appenders (scraped,
 * rule results, remote-written in) is handed to each endpoint's durable queue at commit.
 * With no endpoint configured nothing is tapped at all.
 */
import { mkdirSync } from 'node:fs';
import type { Appender, Labels } from '../model.js';
import type { RemoteWriteEndpoint } from './config.js';
import { Endpoint, readSecret, type RemoteWriteLogger, type TappedBatch } from './endpoint.js';

/** A remote_write setting that can't be used (an unreadable secret file); names the path and the fix. */
export class RemoteWriteConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteWriteConfigError';
  }
}

/**
 * Checks what can only be checked on the machine: secret files readable and not empty.
 * Throws {@link RemoteWriteConfigError} naming the endpoint, the key and the file.
 *
 * @example checkRemoteWrite(endpoints) // throws: remote_write "vm": bearer_token_file: cannot read …
 */
export function checkRemoteWrite(endpoints: readonly RemoteWriteEndpoint[]): void {
  for (const e of endpoints) {
    try {
      if (e.basic_auth !== undefined)
        readSecret(e.basic_auth.password_file, 'basic_auth.password_file');
      if (e.bearer_token_file !== undefined) readSecret(e.bearer_token_file, 'bearer_token_file');
    } catch (err) {
      throw new RemoteWriteConfigError(
        `remote_write "${e.name}" (${e.url}): ${(err as Error).message}`,
      );
    }
  }
}

/** Forwards committed samples to every endpoint. */
export class RemoteWriter {
  readonly endpoints: readonly Endpoint[];

  /**
   * Opens each endpoint's queue under `<dataDir>/remote-write/<name>/` (what an earlier run
   * left is sent first). Throws {@link RemoteWriteConfigError} for unreadable secret files.
   */
  constructor(config: readonly RemoteWriteEndpoint[], dataDir: string, logger?: RemoteWriteLogger) {
    checkRemoteWrite(config);
    mkdirSync(dataDir, { recursive: true });
    this.endpoints = config.map((c) => new Endpoint(c, dataDir, logger));
  }

  /** Queues one commit's samples on every endpoint. */
  add(b: TappedBatch): void {
    for (const e of this.endpoints) e.add(b);
  }

  /**
   * Wraps an appender so that what it commits is also queued here.
   *
   * @example const app = writer.tap(tsdb.appender());
   */
  tap(inner: Appender): Appender {
    let labels: Labels[] = [];
    let t = new Float64Array(256);
    let v = new Float64Array(256);
    let n = 0;
    return {
      append: (l: Labels, ts: number, val: number): boolean => {
        const ok = inner.append(l, ts, val);
        if (!ok) return false;
        if (n === t.length) {
          const t2 = new Float64Array(n * 2);
          const v2 = new Float64Array(n * 2);
          t2.set(t);
          v2.set(v); // set() copies bytes: staleness markers survive
          t = t2;
          v = v2;
        }
        labels.push(l);
        t[n] = ts;
        v[n] = val;
        n++;
        return true;
      },
      commit: (): void => {
        try {
          inner.commit();
          if (n > 0) this.add({ labels, t, v, n });
        } finally {
          labels = [];
          n = 0;
        }
      },
    };
  }

  start(): void {
    for (const e of this.endpoints) e.start();
  }

  /** Stops every sender; queued samples stay on disk for the next start. */
  async stop(): Promise<void> {
    await Promise.all(this.endpoints.map((e) => e.stop()));
  }

  /** The endpoints' self-metrics in the text format, `remote` labelling each endpoint. */
  renderMetrics(): string {
    const fams: [string, string, string, (e: Endpoint) => [string, number][]][] = [
      [
        'pending_samples',
        'gauge',
        'Samples queued for the endpoint.',
        (e) => [['', e.queue.pendingSamples]],
      ],
      [
        'queue_bytes',
        'gauge',
        'Bytes of the durable queue (compressed).',
        (e) => [['', e.queue.bytes]],
      ],
      [
        'samples_sent_total',
        'counter',
        'Samples the endpoint stored.',
        (e) => [['', e.stats.samplesSent]],
      ],
      [
        'samples_failed_total',
        'counter',
        'Samples in send attempts that failed.',
        (e) => [['', e.stats.samplesFailed]],
      ],
      [
        'retries_total',
        'counter',
        'Requests retried after a 429, 5xx or network error.',
        (e) => [['', e.stats.retries]],
      ],
      [
        'samples_dropped_total',
        'counter',
        'Samples never sent, by reason (relabel, not_in_catalog, series_limit, queue_full, queue_error, rejected).',
        (e) => Object.entries(e.stats.dropped).map(([r, n]) => [`,reason="${r}"`, n]),
      ],
      [
        'last_send_timestamp_seconds',
        'gauge',
        'Unix time of the last successful send.',
        (e) => [['', e.stats.lastSendSeconds]],
      ],
    ];
    let out = '';
    for (const [suffix, type, help, values] of fams) {
      const name = `canopy_hub_remote_write_${suffix}`;
      out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
      for (const e of this.endpoints)
        for (const [extra, n] of values(e))
          out += `${name}{remote="${e.config.name}"${extra}} ${n}\n`;
    }
    return out;
  }
}
