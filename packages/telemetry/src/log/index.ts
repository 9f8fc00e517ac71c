/** `@canopy/telemetry/logger`: the scrubbing, trace-correlated pino logger. @module */
export { createLogger, type LoggerOptions, type Logger } from './logger.js';
export { traceFields, type TraceFields } from './trace-context.js';
