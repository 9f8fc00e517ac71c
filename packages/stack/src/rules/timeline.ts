/**
 * Input series of the generated promtool tests: built from phases (so many scrapes at this
 * value or increment), written in promtool's expanding notation, and read back as the exact
 * per-scrape values promtool will load.
 */

/**
 * A run of scrapes: a gauge's value, or a counter's increment per scrape. Phases cover
 * steps 1…K of a test; step 0 holds a counter's 0 and a gauge's first value.
 */
export interface Phase {
  readonly steps: number;
  readonly value: number;
}

/** A test input series: its promtool name and its phases from the first sample on. */
export interface TestSeries {
  readonly series: string;
  readonly counter: boolean;
  readonly phases: readonly Phase[];
}

/**
 * The values promtool loads for a series, one per scrape from step 0. A counter starts at 0
 * and grows by each phase's increment (by repeated addition, as promtool expands `a+bxn`);
 * a gauge starts at its first phase's value.
 */
export function seriesValues(s: TestSeries): number[] {
  const out: number[] = [];
  if (s.counter) {
    let v = 0;
    out.push(v);
    for (const p of s.phases)
      for (let i = 0; i < p.steps; i++) {
        v += p.value;
        out.push(v);
      }
  } else {
    out.push(s.phases[0]?.value ?? 0);
    for (const p of s.phases) for (let i = 0; i < p.steps; i++) out.push(p.value);
  }
  return out;
}

/**
 * promtool's notation for a series: `0 1000+1000x239 240000x7` (counter) or `2x40 30x7`
 * (gauge).
 *
 * @example notation({ series: 'x_total', counter: true, phases: [{ steps: 3, value: 5 }] }) // '0 5+5x2'
 */
export function notation(s: TestSeries): string {
  const parts: string[] = [];
  if (s.counter) {
    let v = 0;
    parts.push('0');
    for (const p of s.phases) {
      if (p.steps === 0) continue;
      const first = v + p.value;
      parts.push(
        p.value === 0
          ? `${num(first)}x${p.steps - 1}`
          : `${num(first)}+${num(p.value)}x${p.steps - 1}`,
      );
      for (let i = 0; i < p.steps; i++) v += p.value;
    }
  } else
    s.phases.forEach((p, i) => {
      const n = i === 0 ? p.steps + 1 : p.steps;
      if (n > 0) parts.push(`${num(p.value)}x${n - 1}`);
    });
  return parts.join(' ');
}

function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`cannot write ${x} in a test series`);
  return String(x);
}
