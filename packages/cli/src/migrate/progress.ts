/**
 * The migration's progress on stderr: a bar redrawn in place on a terminal, a plain line
 * every tenth of the way (and at most every 5 s) otherwise, so logs stay readable.
 */

/** Where progress goes: text, and whether it is a terminal. */
export interface ProgressSink {
  write(s: string): void;
  readonly isTTY: boolean;
}

/** Progress of a run: series done of total, samples sent. */
export class Progress {
  private lastLine = 0;
  private lastTenth = -1;
  private readonly started = Date.now();

  constructor(
    private readonly sink: ProgressSink,
    private readonly total: number,
  ) {}

  /**
   * Reports `done` of the total series and `samples` sent in this run.
   *
   * @example p.update(120, 480_000)
   */
  update(done: number, samples: number): void {
    const frac = this.total === 0 ? 1 : done / this.total;
    const secs = Math.max((Date.now() - this.started) / 1000, 0.001);
    const rate = Math.round(samples / secs);
    const text = `${(frac * 100).toFixed(0).padStart(3)}% ${done}/${this.total} series, ${samples} samples sent (${rate}/s)`;
    if (this.sink.isTTY) {
      const width = 30;
      const full = Math.round(frac * width);
      this.sink.write(`\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${text}`);
      if (done >= this.total) this.sink.write('\n');
      return;
    }
    const tenth = Math.floor(frac * 10);
    const now = Date.now();
    if (tenth > this.lastTenth || now - this.lastLine >= 5000 || done >= this.total) {
      this.lastTenth = tenth;
      this.lastLine = now;
      this.sink.write(`migrate: ${text}\n`);
    }
  }
}
