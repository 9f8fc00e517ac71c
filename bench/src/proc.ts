/** Small process helpers shared by the benchmarks that start servers of their own. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Clock ticks per second in /proc/<pid>/stat (USER_HZ on Linux). */
const TICKS = 100;

/** A free TCP port on 127.0.0.1 (free when returned; bind it promptly). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS;
}
