/** node_exporter as a child process on loopback: the host metrics of stack B. */
import { EngineProcess, freePort } from './process.js';

/** Where Debian's prometheus-node-exporter package installs it. */
export const NODE_EXPORTER_BIN = '/usr/bin/prometheus-node-exporter';

/**
 * Starts node_exporter on a free 127.0.0.1 port (`--web.listen-address`) and waits until
 * `/metrics` answers; its /metrics URL is `url + '/metrics'`.
 *
 * @example const ne = await startNodeExporter(); await ne.stop();
 */
export async function startNodeExporter(bin = NODE_EXPORTER_BIN): Promise<EngineProcess> {
  const port = await freePort();
  return EngineProcess.start({
    name: 'node_exporter',
    bin,
    args: [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/metrics',
  });
}
