/** Backfill import: text/OpenMetrics and VictoriaMetrics JSON lines into the TSDB's past. */
export {
  Importer,
  type ImportSummary,
  type ImporterOptions,
  type RejectedLine,
} from './importer.js';
export { parseTextLines, type ImportSample, type ImportSink } from './text-lines.js';
export { parseVmJsonLines } from './vm-jsonl.js';
export {
  importHandler,
  IMPORT_PATHS,
  type ImportHandlerOptions,
  type ImportStats,
} from './http.js';
