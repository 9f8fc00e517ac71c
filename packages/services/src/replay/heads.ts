import type { SignedEvent } from '../protocol/event.js';

/** Events kept per namespace and author for serving syncs; older ones are dropped. */
export const KEEP_PER_AUTHOR = 10_000;

/**
 * The replay's view of the log: per namespace and author, events by sequence number and
 * the head (highest seq). The head-set is the set of (namespace, author) heads.
 */
export class HeadSet {
  private readonly byNs = new Map<string, Map<string, SignedEvent[]>>();
  private heads = 0;
  /** Timestamp (ms) of the newest event applied. */
  newestTs = 0;

  /** Number of (namespace, author) heads. */
  get size(): number {
    return this.heads;
  }

  /** Adds an event if its seq is new for its author; returns false for a duplicate. */
  apply(ev: SignedEvent): boolean {
    let authors = this.byNs.get(ev.ns);
    if (authors === undefined) this.byNs.set(ev.ns, (authors = new Map()));
    let log = authors.get(ev.author);
    if (log === undefined) {
      authors.set(ev.author, (log = []));
      this.heads++;
    }
    // Usually appended in order; out-of-order arrivals are inserted by seq.
    let i = log.length;
    while (i > 0 && log[i - 1]!.seq > ev.seq) i--;
    if (i > 0 && log[i - 1]!.seq === ev.seq) return false;
    log.splice(i, 0, ev);
    if (log.length > KEEP_PER_AUTHOR) log.shift();
    if (ev.ts > this.newestTs) this.newestTs = ev.ts;
    return true;
  }

  /** Events of a namespace newer than `since[author]` (all of an author not in `since`). */
  missing(ns: string, since: Readonly<Record<string, number>>, limit: number): SignedEvent[] {
    const out: SignedEvent[] = [];
    const authors = this.byNs.get(ns);
    if (authors === undefined) return out;
    for (const [author, log] of authors) {
      const after = since[author] ?? 0;
      for (const ev of log) {
        if (ev.seq > after) {
          out.push(ev);
          if (out.length >= limit) return out;
        }
      }
    }
    return out;
  }

  /** One author's events in a namespace after a seq, for storage backfill. */
  range(ns: string, author: string, afterSeq: number, limit: number): SignedEvent[] {
    const log = this.byNs.get(ns)?.get(author);
    if (log === undefined) return [];
    const out: SignedEvent[] = [];
    for (const ev of log) {
      if (ev.seq > afterSeq) out.push(ev);
      if (out.length >= limit) break;
    }
    return out;
  }
}
