/**
 * The Canopy logger: pino JSON lines on stdout (journald-friendly: one object per line,
 * `level` as a name) with `service`, `level`, `time`, `msg`, and `trace_id`/`span_id` from
 * the active span. Every line goes through the scrubber: the final message (after `%s`
 * interpolation), every field at any depth, child bindings, errors and their stacks. Bad
 * input (cycles, huge strings, buffers, deep nesting, throwing getters, BigInt) is made
 * safe by the scrubber's walk, which is bounded in depth, width and total work.
 * @module
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import { createScrubber, type Scrubber } from '../scrub/scrubber.js';
import { traceFields } from './trace-context.js';

export type { Logger };

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** The `service` field of every line (`relay`, `replay`, `storage`, …). */
  readonly service: string;
  /** pino level or `silent`. Default `CANOPY_LOG_LEVEL`, else `info`. */
  readonly level?: string;
  /**
   * The scrubber every line goes through; `false` turns scrubbing off (for benchmarks and
   * for trusted local debugging only). Default `createScrubber()` (redact mode).
   */
  readonly scrub?: Scrubber | false;
  /** Where lines go. Default stdout. */
  readonly destination?: DestinationStream;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * Creates a service logger.
 *
 * @example
 * const log = createLogger({ service: 'relay' });
 * log.info({ peer: '12D3KooW…', addr: '/ip4/10.0.0.7/tcp/4001' }, 'dial %s failed', peerId);
 * // {"level":"info","time":"…","service":"relay","peer":"<peer>","addr":"/ip4/<ip>/tcp/4001",
 * //  "trace_id":"…","span_id":"…","msg":"dial <peer> failed"}
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? process.env['CANOPY_LOG_LEVEL'] ?? 'info';
  if (!LEVELS.includes(level))
    throw new RangeError(
      `log level '${level}' (from ${options.level !== undefined ? 'createLogger options' : 'CANOPY_LOG_LEVEL'}) ` +
        `is not one of ${LEVELS.join(', ')}; set CANOPY_LOG_LEVEL=info or pass a valid level`,
    );
  if (typeof options.service !== 'string' || options.service === '')
    throw new TypeError(
      'createLogger: `service` must be a non-empty string, e.g. { service: "relay" }',
    );
  const s = options.scrub ?? createScrubber();
  const base: PinoOptions = {
    level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
  };
  // Chosen once: without a scrubber the line takes pino's own path untouched.
  const opts: PinoOptions =
    s === false
      ? { ...base, formatters: { level: (label) => ({ level: label }) } }
      : {
          ...base,
          formatters: {
            level: (label) => ({ level: label }),
            bindings: (b) => s.value(b) as Record<string, unknown>,
            log: (o) => s.value(o) as Record<string, unknown>,
          },
          // pino runs the `msg` serializer on the final, interpolated message.
          serializers: {
            msg: (m: unknown) => (typeof m === 'string' ? s.string(m) : s.value(m)),
            // `log` above already turned errors into scrubbed {type, message, stack}.
            err: (e: unknown) => e,
          },
        };
  const logger = options.destination !== undefined ? pino(opts, options.destination) : pino(opts);
  if (s !== false) {
    // pino applies the bindings formatter to the root only; children's bindings are
    // scrubbed here (the override is inherited by grandchildren through the prototype).
    const child = logger.child;
    logger.child = function scrubbedChild(this: Logger, bindings, childOptions) {
      return child.call(this, s.value(bindings) as typeof bindings, childOptions);
    } as typeof logger.child;
  }
  return logger;
}
