/** vmalert as a child process on loopback: rules against a datasource, alerts to notifiers. */
import { EngineProcess, freePort } from './process.js';

/** Where Debian's victoria-metrics package installs vmalert. */
export const VMALERT_BIN = '/usr/bin/vmalert';

/** Options of {@link startVmalert}. */
export interface VmalertRunOptions {
  /** Rule files (`-rule`). */
  readonly rules: readonly string[];
  /** Prometheus-compatible query API to evaluate against (`-datasource.url`). */
  readonly datasource: string;
  /** Where to write `ALERTS` and recording rule results (`-remoteWrite.url`). Default none. */
  readonly remoteWrite?: string;
  /** Alertmanagers (`-notifier.url`). Default none. */
  readonly notifiers?: readonly string[];
  /** Interval of groups that set none, in seconds. Default 15. */
  readonly evaluationInterval?: number;
  /** `-external.url`: the source link of alerts and `$externalURL` in templates. */
  readonly externalUrl?: string;
  /** Default {@link VMALERT_BIN}. */
  readonly bin?: string;
}

/**
 * Starts vmalert on a free 127.0.0.1 port and waits until `/health` answers.
 *
 * @example const va = await startVmalert({ rules: ['canopy.rules.yml'], datasource: vm.url, notifiers: [am.url] });
 */
export async function startVmalert(o: VmalertRunOptions): Promise<EngineProcess> {
  const port = await freePort();
  return EngineProcess.start({
    name: 'vmalert',
    bin: o.bin ?? VMALERT_BIN,
    args: [
      ...o.rules.map((r) => `-rule=${r}`),
      `-datasource.url=${o.datasource}`,
      ...(o.remoteWrite !== undefined ? [`-remoteWrite.url=${o.remoteWrite}`] : []),
      ...(o.notifiers ?? []).map((n) => `-notifier.url=${n}`),
      `-evaluationInterval=${o.evaluationInterval ?? 15}s`,
      ...(o.externalUrl !== undefined ? [`-external.url=${o.externalUrl}`] : []),
      `-httpListenAddr=127.0.0.1:${port}`,
      '-loggerLevel=WARN',
    ],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health',
  });
}
