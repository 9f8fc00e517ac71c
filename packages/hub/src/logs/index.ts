/** Logs: pino lines in, the SQLite log store with full-text search, the log API. */
export {
  LEVELS,
  levelName,
  levelNumber,
  parseCapturedLine,
  parseLogJson,
  LogLineError,
  type LevelName,
  type LogRecord,
} from './log-line.js';
export {
  LogStore,
  type LogQuery,
  type LogStoreOptions,
  type LogStoreStats,
  type LogView,
} from './log-store.js';
export { LogFeed, type LogFeedOptions, type LogFeedStats, type LogSource } from './log-feed.js';
export { logApi, type LogApiOptions } from './api.js';
