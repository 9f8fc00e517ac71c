/**
 * The minimal structured logger the notifier writes to.
 * @module
 */

/** Fields attached to a log line; never put a webhook URL here unredacted. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** A structured logger (pino-compatible in spirit: message plus fields). */
export interface NotifyLogger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
}

/** A logger that discards everything. */
export const silentLogger: NotifyLogger = { info() {}, warn() {} };
