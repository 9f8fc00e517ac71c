/** vmagent as a child process on loopback: scrapes with a Prometheus scrape config, remote-writes on. */
import { join } from 'node:path';
import { EngineProcess, engineDir, freePort } from './process.js';

/** Where Debian's victoria-metrics package installs vmagent. */
export const VMAGENT_BIN = '/usr/bin/vmagent';

/** Options of {@link startVmagent}. */
export interface VmagentRunOptions {
  /** The scrape config (`-promscrape.config`), e.g. the `vmagent/scrape.yml` of `canopy gen --stack`. */
  readonly scrapeConfig: string;
  /** Base URL of the remote-write receiver; `/api/v1/write` is appended (VictoriaMetrics). */
  readonly remoteWrite: string;
  /** Default {@link VMAGENT_BIN}. */
  readonly bin?: string;
}

/**
 * Starts vmagent on a free 127.0.0.1 port with a temp buffer folder, flushing every second,
 * and waits until `/health` answers. Strict parsing stays on: a key vmagent does not know in
 * the generated config is a start-up failure.
 *
 * @example const agent = await startVmagent({ scrapeConfig: 'vmagent/scrape.yml', remoteWrite: vm.url }); await agent.stop();
 */
export async function startVmagent(o: VmagentRunOptions): Promise<EngineProcess> {
  const port = await freePort();
  const dir = engineDir('vmagent');
  return EngineProcess.start({
    name: 'vmagent',
    bin: o.bin ?? VMAGENT_BIN,
    args: [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-promscrape.config=${o.scrapeConfig}`,
      `-remoteWrite.url=${o.remoteWrite}/api/v1/write`,
      `-remoteWrite.tmpDataPath=${join(dir, 'buffer')}`,
      '-remoteWrite.flushInterval=1s',
      '-loggerLevel=WARN',
    ],
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health',
    dirs: [dir],
  });
}
