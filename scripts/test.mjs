// Runs every compiled test file (packages/*/dist/**/*.test.js) with Node's test runner.
// Usage: node scripts/test.mjs [filter-substring]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv[2];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js') && (filter === undefined || p.includes(filter)))
      files.push(p);
  }
}
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist');
  try {
    if (statSync(dist).isDirectory()) walk(dist);
  } catch {
    // a package without compiled output has no tests to run
  }
}
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
// End-to-end files run whole deployments (services, hub, engines) against wall-clock targets;
// they run one at a time after the rest, so two of them never fight for a 2-core machine.
const heavy = (p) => /e2e/.test(p.slice(p.lastIndexOf('/') + 1));
const phases = [
  { files: files.filter((f) => !heavy(f)), concurrency: 2 },
  { files: files.filter(heavy), concurrency: 1 },
];
let status = 0;
for (const ph of phases) {
  if (ph.files.length === 0) continue;
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--test', `--test-concurrency=${ph.concurrency}`, ...ph.files],
    { stdio: 'inherit', cwd: root },
  );
  if ((r.status ?? 1) !== 0) status = r.status ?? 1;
}
process.exit(status);
