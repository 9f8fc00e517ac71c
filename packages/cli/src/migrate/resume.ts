/**
 * The migration's resume file, `<data>/migrate-<target hash>.json`: the window being shipped
 * and the last series the target acknowledged. It is written (atomically: temp file, rename)
 * after every acknowledged batch, so a killed run loses at most the batch in flight.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a run has done so far. */
export interface ResumeState {
  /** File format version. */
  readonly version: 1;
  /** The target URL. */
  readonly target: string;
  /** Samples at or before this time (ms) are shipped; fixed by the first run. */
  readonly untilMs: number;
  /** Series (in label-key order) whose samples the target acknowledged: all up to this key. */
  doneKey: string | undefined;
  /**
   * When only part of the `doneKey` series was acknowledged (it is longer than a batch): its
   * last acknowledged timestamp, ms; undefined when the whole series was.
   */
  doneT?: number | undefined;
  /** How many series were acknowledged. */
  doneSeries: number;
  /** Samples acknowledged. */
  doneSamples: number;
  /** Keys of the batch that was sent but not acknowledged: checked against the target on resume. */
  inFlight: string[];
  /** True once every series was sent (verification may still be pending). */
  complete: boolean;
}

/**
 * The resume file for shipping the hub data in `dataDir` to `target`.
 *
 * @example resumePath('.canopy', 'http://vm:8428') // '.canopy/migrate-3f2a9c1b0d4e.json'
 */
export function resumePath(dataDir: string, target: string): string {
  const hash = createHash('sha256').update(target).digest('hex').slice(0, 12);
  return join(dataDir, `migrate-${hash}.json`);
}

/** Reads a resume file; undefined when there is none. Throws with the path when it is unreadable. */
export function readResume(path: string): ResumeState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the resume file ${path}: ${(e as Error).message}`);
  }
  let j: ResumeState;
  try {
    j = JSON.parse(text) as ResumeState;
  } catch {
    throw new Error(
      `the resume file ${path} is not valid JSON: delete it (or pass --restart) to start over`,
    );
  }
  if (j.version !== 1 || typeof j.untilMs !== 'number' || !Array.isArray(j.inFlight))
    throw new Error(
      `the resume file ${path} is not one this version wrote: delete it (or pass --restart) to start over`,
    );
  return j;
}

/** Writes the state atomically. */
export function writeResume(path: string, s: ResumeState): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  renameSync(tmp, path);
}

/** Removes a resume file (for --restart). */
export function removeResume(path: string): void {
  rmSync(path, { force: true });
}
