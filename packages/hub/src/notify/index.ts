/**
 * The hub's notifier: Discord/Slack formatting within each service's limits, delivery with
 * 429/5xx handling, a SQLite notification log and secret-safe webhook URLs.
 * @module
 */
export * from './alert.js';
export * from './truncate.js';
export * from './discord.js';
export * from './slack.js';
export * from './secret.js';
export * from './logger.js';
export * from './deliver.js';
export * from './log.js';
export * from './notifier.js';
export * from './config.js';
export * from './webhook.js';
export * from './dispatcher.js';
export * from './inhibit.js';
