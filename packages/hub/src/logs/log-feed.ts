/**
 * Feeds the output of child processes into a {@link LogStore} without ever holding up the
 * caller: chunks are split into lines at once, queued (bounded: past `maxQueued` lines new
 * ones are dropped and counted), and written in one transaction per flush.
 */

import { parseCapturedLine, type LogRecord } from './log-line.js';

/** Options of {@link LogFeed}. */
export interface LogFeedOptions {
  /** Lines waiting to be written before new ones are dropped. Default 20,000. */
  readonly maxQueued?: number;
  /** How often queued lines are written, ms. Default 250. */
  readonly flushMs?: number;
  /** Longer lines are cut here (characters). Default 16,384. */
  readonly maxLineLength?: number;
  /** Clock (ms). Default `Date.now`. */
  readonly now?: () => number;
}

/** What a feed counts. */
export interface LogFeedStats {
  /** Lines handed to the store. */
  written: number;
  /** Lines dropped: the queue was full, or the store failed. */
  dropped: number;
  /** Lines cut at `maxLineLength`. */
  truncated: number;
}

/** Where a feed writes: a {@link LogStore} or anything with its `append`. */
export interface LogSink {
  append(lines: readonly LogRecord[]): void;
}

/** One source's line splitter (see {@link LogFeed.source}). */
export interface LogSource {
  /** Takes a chunk of output; complete lines are queued. */
  write(chunk: Buffer | string): void;
  /** Queues what is left of an unterminated last line. */
  end(): void;
}

/**
 * Bounded, batched ingestion of captured output.
 *
 * @example
 * const feed = new LogFeed(hub.logs);
 * child.stdout.on('data', feed.source('relay-a').write);
 * // … on shutdown
 * feed.close();
 */
export class LogFeed {
  readonly stats: LogFeedStats = { written: 0, dropped: 0, truncated: 0 };
  #store: LogSink | undefined;
  readonly #maxQueued: number;
  readonly #maxLine: number;
  readonly #now: () => number;
  #queue: Array<[string, string, number]> = [];
  readonly #timer: NodeJS.Timeout;

  /**
   * @param store Where lines go; when undefined they wait (bounded by `maxQueued`) until
   *   {@link attach} names it — a child's first lines may come before the hub is up.
   */
  constructor(store: LogSink | undefined, o: LogFeedOptions = {}) {
    this.#store = store;
    this.#maxQueued = o.maxQueued ?? 20_000;
    this.#maxLine = o.maxLineLength ?? 16_384;
    this.#now = o.now ?? Date.now;
    this.#timer = setInterval(() => this.flush(), o.flushMs ?? 250);
    this.#timer.unref();
  }

  /** A line splitter for the output of `service` (e.g. a child process's name). */
  source(service: string): LogSource {
    let partial = '';
    let skipping = false; // inside an over-long line, already queued cut
    const push = (line: string): void => {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') return;
      if (line.length > this.#maxLine) {
        line = line.slice(0, this.#maxLine);
        this.stats.truncated++;
      }
      if (this.#queue.length >= this.#maxQueued) {
        this.stats.dropped++;
        return;
      }
      this.#queue.push([line, service, this.#now()]);
    };
    return {
      write: (chunk: Buffer | string): void => {
        const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
        let from = 0;
        for (let nl = s.indexOf('\n'); nl !== -1; nl = s.indexOf('\n', from)) {
          if (!skipping) push(partial + s.slice(from, nl));
          partial = '';
          skipping = false;
          from = nl + 1;
        }
        if (skipping) return;
        partial += s.slice(from);
        if (partial.length > this.#maxLine) {
          push(partial);
          partial = '';
          skipping = true;
        }
      },
      end: (): void => {
        if (!skipping && partial !== '') push(partial);
        partial = '';
        skipping = false;
      },
    };
  }

  /** Names the store once it exists; what waited is written at the next flush. */
  attach(store: LogSink): void {
    this.#store = store;
  }

  /** Writes what is queued, in one transaction (nothing until a store is attached). Never throws. */
  flush(): void {
    const q = this.#queue;
    const store = this.#store;
    if (q.length === 0 || store === undefined) return;
    this.#queue = [];
    const lines: LogRecord[] = new Array(q.length);
    for (let i = 0; i < q.length; i++) {
      const [line, service, t] = q[i]!;
      lines[i] = parseCapturedLine(line, service, t);
    }
    try {
      store.append(lines);
      this.stats.written += lines.length;
    } catch {
      // a full disk or a closed store must not take the caller down; the lines are lost
      this.stats.dropped += lines.length;
    }
  }

  /** Flushes and stops the timer. */
  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
