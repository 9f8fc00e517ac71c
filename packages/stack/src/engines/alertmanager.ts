/** Prometheus Alertmanager as a child process on loopback, clustering off. */
import { EngineProcess, engineDir, freePort } from './process.js';

/** Where Debian's prometheus-alertmanager package installs the server. */
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';
/** Where it installs amtool. */
export const AMTOOL_BIN = '/usr/bin/amtool';

/** Options of {@link startAlertmanager}. */
export interface AlertmanagerRunOptions {
  /** The config file to load (templates beside it are found relative to it). */
  readonly configFile: string;
  /** Default {@link ALERTMANAGER_BIN}. */
  readonly bin?: string;
  /** Default `info`. */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * Starts Alertmanager on a free 127.0.0.1 port with a temp `--storage.path` and clustering
 * disabled (`--cluster.listen-address=`), and waits until `/-/ready` answers.
 *
 * @example const am = await startAlertmanager({ configFile: 'alertmanager.yml' }); await am.stop();
 */
export async function startAlertmanager(o: AlertmanagerRunOptions): Promise<EngineProcess> {
  const port = await freePort();
  const dir = engineDir('alertmanager');
  const url = `http://127.0.0.1:${port}`;
  return EngineProcess.start({
    name: 'alertmanager',
    bin: o.bin ?? ALERTMANAGER_BIN,
    args: [
      `--config.file=${o.configFile}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      `--log.level=${o.logLevel ?? 'info'}`,
    ],
    url,
    readyPath: '/-/ready',
    dirs: [dir],
  });
}
