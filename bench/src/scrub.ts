/**
 * The PII scrubber's cost: throughput of `scrubber.string` on clean, dirty and mixed log
 * text (MB/s), and logger lines per second — plain pino vs the Canopy logger without its
 * scrubber vs with it — writing to a sink that only counts bytes. Inputs come from the same
 * seeded generators as the privacy tests (ordinary log lines; canaries of every kind). Each
 * measurement is the median of interleaved rounds, so drift on a shared machine hits all
 * variants alike.
 *
 * Usage: `npm run bench -- --scrub [--json]`
 */
import { pino, type Logger } from 'pino';
import { createScrubber } from '@canopy/telemetry';
import { createLogger } from '@canopy/telemetry/logger';
import { generateCanaries } from '@canopy/telemetry/testing/canaries';
import { ordinaryLogLines } from '@canopy/telemetry/testing/log-corpus';

const ROUNDS = Number(process.env['SCRUB_BENCH_ROUNDS'] ?? 9);
const ROUND_MS = 250;
const LINES = 20_000;
/** Share of lines carrying an identifier in the mixed inputs. */
const DIRTY_SHARE = 0.1;

let sinkBytes = 0;
const sink = { write: (s: string): void => void (sinkBytes += s.length) };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/** Runs `f(i)` for about ROUND_MS and returns calls per second. */
function rate(f: (i: number) => void): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ROUND_MS) {
    for (let k = 0; k < 500; k++) f(n++);
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/** Interleaved rounds of every variant; the median rate of each. */
function compare(variants: ReadonlyArray<[string, (i: number) => void]>): Map<string, number> {
  const rates = new Map<string, number[]>(variants.map(([n]) => [n, []]));
  for (const [, f] of variants) rate(f); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const [name, f] of order) rates.get(name)!.push(rate(f));
  }
  return new Map([...rates].map(([n, xs]) => [n, median(xs)]));
}

/** Plain pino configured like the Canopy logger (base, ISO time, level names). */
function plainPino(): Logger {
  return pino(
    {
      level: 'info',
      base: { service: 'relay' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    sink,
  );
}

export async function runScrubBench(json: boolean): Promise<void> {
  const clean = ordinaryLogLines(LINES, 1);
  const canaries = generateCanaries(LINES, 2);
  const dirty = canaries.map((c, i) => `${clean[i]!} peer=${c.text}`);
  const mixed = clean.map((l, i) => (i % Math.round(1 / DIRTY_SHARE) === 0 ? dirty[i]! : l));
  const bytes = (xs: readonly string[]): number => xs.reduce((n, s) => n + s.length, 0) / xs.length;
  const scrubber = createScrubber();
  const pseudo = createScrubber({ mode: 'pseudonym' });

  const textRates = compare([
    ['clean', (i) => void scrubber.string(clean[i % LINES]!)],
    ['dirty', (i) => void scrubber.string(dirty[i % LINES]!)],
    ['mixed', (i) => void scrubber.string(mixed[i % LINES]!)],
    ['mixed-pseudonym', (i) => void pseudo.string(mixed[i % LINES]!)],
  ]);
  const avg: Record<string, number> = {
    clean: bytes(clean),
    dirty: bytes(dirty),
    mixed: bytes(mixed),
    'mixed-pseudonym': bytes(mixed),
  };

  const values = mixed.map((l, i) => (i % 10 === 0 ? canaries[i]!.text : `session-${i % 97}`));
  const logInputs = (log: Logger) => (i: number) => {
    const k = i % LINES;
    log.info({ peer: values[k], queue: k & 1023, took_ms: 12.5 }, mixed[k]!);
  };
  const pinoLog = plainPino();
  const bare = createLogger({ service: 'relay', level: 'info', scrub: false, destination: sink });
  const scrubbed = createLogger({ service: 'relay', level: 'info', destination: sink });
  const logRates = compare([
    ['pino', logInputs(pinoLog)],
    ['canopy-no-scrub', logInputs(bare)],
    ['canopy-scrub', logInputs(scrubbed)],
  ]);

  const rows: Array<Record<string, string | number>> = [];
  for (const [name, r] of textRates)
    rows.push({
      name: `scrub-${name}`,
      unit: 'MB/s',
      value: Number(((r * avg[name]!) / 1e6).toFixed(1)),
      per_call_ns: Math.round(1e9 / r),
    });
  const base = logRates.get('pino')!;
  for (const [name, r] of logRates)
    rows.push({
      name: `logger-${name}`,
      unit: 'lines/s',
      value: Math.round(r),
      per_call_ns: Math.round(1e9 / r),
      ratio_vs_pino: Number((base / r).toFixed(2)),
    });
  if (json) {
    for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  process.stdout.write(
    `scrubber and logger, median of ${ROUNDS} interleaved rounds of ${ROUND_MS} ms ` +
      `(${Math.round(DIRTY_SHARE * 100)}% of mixed lines carry an identifier; sink ${sinkBytes > 0 ? 'counted' : 'empty'})\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${String(r['name']).padEnd(26)} ${String(r['value']).padStart(10)} ${String(r['unit']).padEnd(8)} ` +
        `${String(r['per_call_ns']).padStart(7)} ns/call` +
        (r['ratio_vs_pino'] !== undefined ? `  ×${String(r['ratio_vs_pino'])} pino's cost` : '') +
        '\n',
    );
}
