/**
 * A hub in a process of its own for the remote_write benchmark, so its CPU time can be read
 * from /proc like VictoriaMetrics': remote_write on, nothing scraped (not even itself or
 * the host), printing its URL on stdout. Usage: `node rw-hub-child.js DATA_DIR`.
 */
import { parseScrapeConfig, startHub } from '@canopy/hub';

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: node rw-hub-child.js DATA_DIR\n');
  process.exit(2);
}
const hub = await startHub({
  port: 0,
  dataDir: dir,
  scrape: parseScrapeConfig({ targets: [] }),
  host_collector: false,
  selfScrape: false,
  remoteWriteReceiver: { enabled: true },
});
process.stdout.write(`${hub.url}\n`);
const stop = (): void => void hub.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
