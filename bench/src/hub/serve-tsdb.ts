/**
 * The hub's HTTP API over an existing TSDB directory, as its own process, so that a benchmark
 * queries it as a client queries the hub (and as it queries VictoriaMetrics): over loopback,
 * from another process. Prints the URL as the first line of stdout; stops on SIGTERM or when
 * stdin closes (its parent went away).
 *
 * Usage: `node bench/dist/hub/serve-tsdb.js <tsdb dir>`
 */
import { createServer } from 'node:http';
import { TSDB, apiHandler } from '@canopy/hub';

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: serve-tsdb.js <tsdb dir>\n');
  process.exit(2);
}
const db = TSDB.open({ dir, retentionMs: 0 });
const handler = apiHandler({
  querier: db,
  metadata: (m) => db.metadata(m),
  targets: () => [],
  version: 'bench',
});
const server = createServer((req, res) => {
  if (!handler(req, res)) res.writeHead(404).end();
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  db.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.stdin.on('end', stop).resume();
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}\n`);
});
