/**
 * `canopy import FILE`: backfill a file of samples into the hub — straight into its data
 * folder (`--hub-data DIR`, the hub stopped) or through a running hub's import endpoint
 * (`--url`). Formats: the Prometheus text format with millisecond timestamps, OpenMetrics
 * with second timestamps (ends with `# EOF`), VictoriaMetrics' JSON lines (`/api/v1/export`).
 * A progress bar on a terminal, a summary at the end; exit 1 when lines were refused.
 */
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Importer,
  parseDuration,
  parseTextLines,
  parseVmJsonLines,
  TSDB,
  type ImportSummary,
} from '@canopy/hub';
import { loadConfig } from './config.js';
import type { CliIO } from './cli.js';

/** The file formats. */
export type ImportFormat = 'text' | 'openmetrics' | 'vm-jsonl';
const FORMATS: readonly ImportFormat[] = ['text', 'openmetrics', 'vm-jsonl'];

/** A command line a person got wrong (exit 2). */
export class ImportUsageError extends Error {}

/** Samples buffered before a write (one transaction each). */
const BATCH_SAMPLES = 200_000;
/** Bytes of the file per HTTP request with --url. */
const PIECE_BYTES = 4 << 20;
/** Bytes read at a time. */
const READ_BYTES = 1 << 20;

export const IMPORT_HELP = `Usage: canopy import FILE [--hub-data DIR | --url URL] [--format text|openmetrics|vm-jsonl]
                     [--token-file FILE] [--config FILE]

Backfill samples with timestamps into the hub:
  --hub-data DIR   the hub's data folder (default: hub.data of the config, .canopy); the hub
                   must be stopped (its TSDB is locked while it runs — use --url then)
  --url URL        a running hub (e.g. http://127.0.0.1:9400); needs
                   hub.remote_write_receiver.enabled: true
  --format F       text (Prometheus text format, ms timestamps), openmetrics (second
                   timestamps, # EOF) or vm-jsonl (VictoriaMetrics /api/v1/export);
                   default: detected from the file
  --token-file F   bearer token for --url (default: hub.remote_write_receiver.bearer_token_file)
Samples already stored with the same value are skipped; a different value at a stored
timestamp is refused, as are bad lines; the summary lists them. Exit 1 if any was refused.
`;

/**
 * The format of a file from its first non-blank character and its end: `{` is JSON lines,
 * a last line `# EOF` is OpenMetrics, anything else the text format.
 *
 * @example detectFormat('{"metric":{}}', '') // 'vm-jsonl'
 */
export function detectFormat(head: string, tail: string): ImportFormat {
  if (head.trimStart().startsWith('{')) return 'vm-jsonl';
  return /(^|\n)# EOF\s*$/.test(tail) ? 'openmetrics' : 'text';
}

/** Options a test may set. */
export interface ImportRunOptions {
  /** Whether to draw the progress bar (default: stderr is a terminal). */
  readonly tty?: boolean;
  readonly now?: () => number;
}

/**
 * Runs `canopy import` with the arguments after `import`; resolves to the exit code.
 *
 * @example await importCommand(['export.jsonl', '--hub-data', '.canopy'], io) // 0
 */
export async function importCommand(
  args: string[],
  io: CliIO,
  o: ImportRunOptions = {},
): Promise<number> {
  let v: Record<string, string | boolean | undefined>;
  let files: string[];
  try {
    const p = parseArgs({
      args,
      options: {
        'hub-data': { type: 'string' },
        url: { type: 'string' },
        format: { type: 'string' },
        'token-file': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    v = p.values as typeof v;
    files = p.positionals;
  } catch (e) {
    throw new ImportUsageError(`import: ${(e as Error).message.replace(/\. To specify.*$/s, '')}`);
  }
  if (v.help === true) {
    io.out(IMPORT_HELP);
    return 0;
  }
  if (files.length !== 1)
    throw new ImportUsageError(
      files.length === 0
        ? 'import: which file? (canopy import FILE; see canopy import --help)'
        : `import: one file at a time, got ${files.length}: ${files.join(' ')}`,
    );
  const file = files[0]!;
  if (v['hub-data'] !== undefined && v.url !== undefined)
    throw new ImportUsageError('import: --hub-data and --url exclude each other: pick one');
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (e) {
    throw new ImportUsageError(
      `import: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const format = (v.format as string | undefined) ?? detect(file, size);
  if (!FORMATS.includes(format as ImportFormat))
    throw new ImportUsageError(
      `import: --format must be one of ${FORMATS.join(', ')}, got "${format}"`,
    );
  const { config } = loadConfig(v.config as string | undefined);
  const now = o.now ?? Date.now;
  const progress = new Progress(io, o.tty ?? process.stderr.isTTY === true, size);
  const started = performance.now();
  let summary: ImportSummary;
  let where: string;
  if (typeof v.url === 'string') {
    let url: URL;
    try {
      url = new URL(v.url);
    } catch {
      throw new ImportUsageError(
        `import: --url must be a URL such as http://127.0.0.1:9400, got "${v.url}"`,
      );
    }
    const tokenFile =
      (v['token-file'] as string | undefined) ??
      config.hub.remote_write_receiver?.bearer_token_file;
    let token: string | undefined;
    if (tokenFile !== undefined) {
      try {
        token = readFileSync(tokenFile, 'utf8').trim();
      } catch (e) {
        throw new ImportUsageError(
          `import: cannot read the token file ${tokenFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      }
    }
    where = url.origin;
    summary = await viaHttp(file, format as ImportFormat, url, token, progress);
  } else {
    const dir = resolve((v['hub-data'] as string | undefined) ?? config.hub.data);
    where = dir;
    const retention = parseDuration(config.hub.retention);
    let db: TSDB;
    try {
      db = TSDB.open({ dir: join(dir, 'tsdb'), retentionMs: retention });
    } catch (e) {
      const m = (e as Error).message;
      throw new ImportUsageError(
        /in use by another process/.test(m)
          ? `import: ${m} — a hub is running on it: import through it with --url http://HOST:PORT instead`
          : `import: ${m}`,
      );
    }
    try {
      const imp = new Importer(db, {
        bounds: { oldest: now() - retention, newest: now() + 10 * 60_000 },
      });
      await readPieces(file, READ_BYTES, (text, firstLine, bytes) => {
        if (format === 'vm-jsonl') parseVmJsonLines(text, firstLine, imp);
        else parseTextLines(text, format === 'openmetrics', firstLine, imp);
        if (imp.pending >= BATCH_SAMPLES) imp.flush();
        progress.update(bytes, imp.summary().samples + imp.pending);
        return Promise.resolve();
      });
      imp.flush();
      summary = imp.summary();
    } finally {
      db.close();
    }
  }
  progress.done();
  io.out(
    formatSummary(file, format as ImportFormat, size, where, summary, performance.now() - started),
  );
  return summary.rejected > 0 ? 1 : 0;
}

function detect(file: string, size: number): ImportFormat {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(size, 256));
    readSync(fd, tail, 0, tail.length, Math.max(0, size - tail.length));
    return detectFormat(head.toString('utf8'), tail.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `file` in pieces that end at a line end, calling `each(text, firstLine, bytesSoFar)`.
 */
async function readPieces(
  file: string,
  pieceBytes: number,
  each: (text: string, firstLine: number, bytes: number) => Promise<void>,
): Promise<void> {
  let carry: Buffer = Buffer.alloc(0);
  let line = 1;
  let bytes = 0;
  const emit = async (buf: Buffer): Promise<void> => {
    const text = buf.toString('utf8');
    await each(text, line, bytes);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) line++;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: pieceBytes })) {
    const c = chunk as Buffer;
    bytes += c.length;
    const buf = carry.length === 0 ? c : Buffer.concat([carry, c]);
    const cut = buf.lastIndexOf(10);
    if (cut === -1) {
      carry = buf;
      continue;
    }
    carry = Buffer.from(buf.subarray(cut + 1));
    await emit(buf.subarray(0, cut + 1));
  }
  if (carry.length > 0) await emit(carry);
}

async function viaHttp(
  file: string,
  format: ImportFormat,
  url: URL,
  token: string | undefined,
  progress: Progress,
): Promise<ImportSummary> {
  const path = format === 'vm-jsonl' ? '/api/v1/import' : '/api/v1/import/prometheus';
  const total: ImportSummary = {
    series: 0,
    samples: 0,
    duplicates: 0,
    minT: undefined,
    maxT: undefined,
    rejected: 0,
    rejectedLines: [],
  };
  const series = new Set<string>();
  await readPieces(file, PIECE_BYTES, async (text, firstLine, bytes) => {
    let r: Response;
    try {
      r = await fetch(new URL(`${path}?on_error=skip`, url), {
        method: 'POST',
        headers: {
          'content-type':
            format === 'openmetrics'
              ? 'application/openmetrics-text; version=1.0.0'
              : format === 'text'
                ? 'text/plain; version=0.0.4'
                : 'application/x-ndjson',
          ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
        },
        body: text,
        signal: AbortSignal.timeout(120_000),
      });
    } catch (e) {
      throw new ImportUsageError(
        `import: cannot reach ${url.origin} (${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}); is the hub running?`,
      );
    }
    const body = (await r.json().catch(() => ({}))) as { error?: string; data?: ImportSummary };
    if (!r.ok || body.data === undefined)
      throw new ImportUsageError(
        `import: ${url.origin}${path} answered ${r.status}: ${body.error ?? 'no JSON answer'}`,
      );
    const d = body.data;
    // The hub counts series per request, and a series spread over several requests would be
    // counted again if those were summed: the series of the file are counted here instead.
    seriesIn(text, format, series, new Set(d.rejectedLines.map((rl) => rl.line)));
    total.series = series.size;
    total.samples += d.samples;
    total.duplicates += d.duplicates;
    if (d.minT !== undefined && (total.minT === undefined || d.minT < total.minT))
      total.minT = d.minT;
    if (d.maxT !== undefined && (total.maxT === undefined || d.maxT > total.maxT))
      total.maxT = d.maxT;
    total.rejected += d.rejected;
    for (const rl of d.rejectedLines)
      if (total.rejectedLines.length < 100)
        total.rejectedLines.push({ line: rl.line + firstLine - 1, reason: rl.reason });
    progress.update(bytes, total.samples);
  });
  return total;
}

/**
 * Adds the series of the sample lines in `text` to `into`, by their text: the label block
 * of a JSON line, the part of a text line before its value (a series written with its labels
 * in two orders counts twice). Lines the hub refused (`refused`, 1-based) are left out.
 */
function seriesIn(
  text: string,
  format: ImportFormat,
  into: Set<string>,
  refused: ReadonlySet<number>,
): void {
  let n = 0;
  for (let p = 0; p < text.length;) {
    let e = text.indexOf('\n', p);
    if (e === -1) e = text.length;
    const line = text.slice(p, e).trim();
    p = e + 1;
    n++;
    if (line === '' || line.startsWith('#') || refused.has(n)) continue;
    if (format === 'vm-jsonl') {
      const v = line.indexOf(',"values"');
      into.add(v === -1 ? line : line.slice(0, v));
    } else {
      const close = line.lastIndexOf('}');
      const head = close !== -1 ? line.slice(0, close + 1) : line.split(/[ \t]/, 1)[0]!;
      into.add(head.replace(/[ \t]+/g, ''));
    }
  }
}

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
class Progress {
  private last = 0;
  constructor(
    private readonly io: CliIO,
    private readonly tty: boolean,
    private readonly size: number,
  ) {}

  update(bytes: number, samples: number): void {
    if (!this.tty) return;
    const t = performance.now();
    if (t - this.last < 100 && bytes < this.size) return;
    this.last = t;
    const f = this.size === 0 ? 1 : Math.min(1, bytes / this.size);
    const w = 30;
    const full = Math.round(f * w);
    this.io.err(
      `\r[${'#'.repeat(full)}${'.'.repeat(w - full)}] ${(f * 100).toFixed(0).padStart(3)}%  ${mb(bytes)}/${mb(this.size)}  ${samples.toLocaleString('en-US')} samples`,
    );
  }

  done(): void {
    if (this.tty) this.io.err('\n');
  }
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MB`;
}

/** The summary printed at the end. */
export function formatSummary(
  file: string,
  format: ImportFormat,
  size: number,
  where: string,
  s: ImportSummary,
  ms: number,
): string {
  const iso = (t: number | undefined) => (t === undefined ? '-' : new Date(t).toISOString());
  let out =
    `imported ${file} (${format}, ${mb(size)}) into ${where} in ${(ms / 1000).toFixed(1)} s\n` +
    `  series    ${s.series}\n` +
    `  samples   ${s.samples}${s.duplicates > 0 ? ` (${s.duplicates} duplicates skipped: same timestamp and value)` : ''}\n` +
    `  range     ${iso(s.minT)} → ${iso(s.maxT)}\n` +
    `  rejected  ${s.rejected} line${s.rejected === 1 ? '' : 's'}\n`;
  for (const r of s.rejectedLines) out += `    line ${r.line}: ${r.reason}\n`;
  if (s.rejected > s.rejectedLines.length)
    out += `    … and ${s.rejected - s.rejectedLines.length} more\n`;
  return out;
}
