/**
 * Debian's Chromium driven by playwright-core, for the dashboard's browser tests and the
 * first-render benchmark. No browser is downloaded: `CHROMIUM` or /usr/bin/chromium is used
 * (Debian package `chromium`; `.ci/run` installs it). Each launch gets a fresh profile
 * folder, removed on close.
 * @module
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Chromium is looked for. */
export const CHROMIUM_PATH = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, offline, sandbox-free headless Chromium (tests run as root in CI). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A launched browser (one persistent context on a fresh profile); close removes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Whether Chromium is installed where {@link launchChromium} looks.
 *
 * @example test('in a browser', { skip: !haveChromium() }, async () => {})
 */
export function haveChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * Launches headless Chromium with a fresh `--user-data-dir` and opens a context of the
 * given viewport (default 1280 × 900).
 *
 * @example const b = await launchChromium(); const page = await b.context.newPage(); … await b.close();
 */
export async function launchChromium(
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'canopy-chromium-'));
  // Playwright passes the profile as --user-data-dir itself (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
