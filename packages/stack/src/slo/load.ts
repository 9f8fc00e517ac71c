/** Reading the SLO spec (and the scrape interval the rules assume) from canopy.yaml. */
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { DEFAULT_SLOS, type Slo } from '@canopy/catalog';
import { parseDuration } from './duration.js';
import { parseSlos, SloSpecError } from './validate.js';

/** The scrape interval the hub uses when canopy.yaml does not set one (seconds). */
export const DEFAULT_SCRAPE_INTERVAL = 15;

/** An SLO spec and where it came from. */
export interface SloSource {
  readonly slos: readonly Slo[];
  /** The file read, or `undefined` for the built-in default. */
  readonly file: string | undefined;
  /** `scrape.interval` of the file in seconds (default {@link DEFAULT_SCRAPE_INTERVAL}). */
  readonly scrapeInterval: number;
}

/**
 * Loads `slos:` (and `scrape.interval`) from a canopy.yaml: the given file, else
 * `./canopy.yaml` when it exists. A file without `slos:`, or no file, gives the seed's ten
 * SLOs. Throws {@link SloSpecError} with lines prefixed by the file name.
 *
 * @example loadSloSpec().slos.length // 10 (no canopy.yaml here)
 */
export function loadSloSpec(path?: string): SloSource {
  const file = path ?? (existsSync('canopy.yaml') ? 'canopy.yaml' : undefined);
  if (file === undefined)
    return { slos: DEFAULT_SLOS, file, scrapeInterval: DEFAULT_SCRAPE_INTERVAL };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SloSpecError([
      `${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    ]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new SloSpecError([
      `${file}${pos !== undefined ? `:${pos.line}:${pos.col}` : ''}: not valid YAML: ${e.message.split('\n')[0]}`,
    ]);
  }
  const raw: unknown = doc.toJS();
  const top = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const slos = top['slos'] === undefined ? DEFAULT_SLOS : parseSlos(top['slos'], `${file}: slos`);
  return { slos, file, scrapeInterval: scrapeIntervalOf(top['scrape'], file) };
}

function scrapeIntervalOf(scrape: unknown, file: string): number {
  if (typeof scrape !== 'object' || scrape === null) return DEFAULT_SCRAPE_INTERVAL;
  const v = (scrape as Record<string, unknown>)['interval'];
  if (v === undefined) return DEFAULT_SCRAPE_INTERVAL;
  const ms = typeof v === 'string' ? /^(\d+)ms$/.exec(v) : null;
  const seconds =
    ms !== null ? Number(ms[1]) / 1000 : typeof v === 'string' ? parseDuration(v) : undefined;
  if (seconds === undefined || seconds <= 0)
    throw new SloSpecError([
      `${file}: scrape.interval: expected a duration such as "15s", got ${JSON.stringify(v)}`,
    ]);
  return seconds;
}
