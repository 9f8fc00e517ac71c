// Bundles the browser app (src/app) into dist/ui/: hashed, minified ES modules and CSS, the
// PromQL editor split into its own chunk (loaded by Explore only), and manifest.json naming
// the entry files the server puts in the page. Run by `npm run build` / `npm ci` (prepare).
// Usage: node packages/web/scripts/bundle.mjs [--quiet]
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'ui');
const assets = join(out, 'assets');
rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  entryPoints: { main: join(root, 'src', 'app', 'main.ts') },
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: ['chrome100', 'firefox100', 'safari15'],
  outdir: assets,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

let js;
let css;
const sizes = [];
for (const file of Object.keys(result.metafile.outputs)) {
  const name = basename(file);
  if (name.startsWith('main-') && name.endsWith('.js')) js = name;
  if (name.startsWith('main-') && name.endsWith('.css')) css = name;
  const body = readFileSync(join(assets, name));
  sizes.push([name, body.length, gzipSync(body, { level: 9 }).length]);
}
if (js === undefined || css === undefined) throw new Error('bundle: no main .js or .css written');
writeFileSync(join(out, 'manifest.json'), JSON.stringify({ js, css, sizes }, null, 2) + '\n');
if (!process.argv.includes('--quiet'))
  for (const [name, raw, gz] of sizes)
    console.log(
      `web ui: ${name.padEnd(28)} ${(raw / 1024).toFixed(1).padStart(7)} KiB  (${(gz / 1024).toFixed(1)} KiB gzip)`,
    );
