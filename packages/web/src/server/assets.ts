/**
 * The built browser bundle (`npm run build` writes it to `dist/ui/`), read once and kept in
 * memory with a gzip copy of each file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** One file of the bundle. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
  /** Present when gzip saves space. */
  readonly gzip: Buffer | undefined;
}

/** The bundle: the entry files the page loads and every file by name. */
export interface Assets {
  readonly js: string;
  readonly css: string;
  readonly files: ReadonlyMap<string, Asset>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Where `scripts/bundle.mjs` writes the bundle. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../ui/', import.meta.url));

/**
 * Reads the bundle written by `scripts/bundle.mjs`; undefined when it has not been built.
 *
 * @example const a = loadAssets(); a?.js // 'main-4XJ2KQ.js'
 */
export function loadAssets(dir: string = DEFAULT_ASSETS_DIR): Assets | undefined {
  let manifest: { js: string; css: string };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  const files = new Map<string, Asset>();
  const assets = join(dir, 'assets');
  for (const name of readdirSync(assets)) {
    const body = readFileSync(join(assets, name));
    const gz = body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined;
    files.set(name, {
      type: TYPES[extname(name)] ?? 'application/octet-stream',
      body,
      gzip: gz !== undefined && gz.length < body.length ? gz : undefined,
    });
  }
  return { js: manifest.js, css: manifest.css, files };
}
