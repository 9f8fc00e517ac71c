/**
 * A child process's stdout and stderr: appended to its log file as before, and each line fed
 * to the hub's log store through a bounded {@link LogFeed}. A child that writes faster than
 * the disk takes is paused at the pipe (as writing to a file would block it); the hub never
 * waits: the feed drops lines past its queue bound and counts them.
 */

import { createWriteStream } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { LogFeed } from '@canopy/hub';

/**
 * Captures a child's output (spawned with `stdio: [_, 'pipe', 'pipe']`) into `logFile` and,
 * when given, `feed` under `name`. Resolves when both streams ended and the file is closed.
 *
 * @example
 * const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'] });
 * captureOutput(child, '.canopy/logs/relay-a.log', feed, 'relay-a');
 */
export function captureOutput(
  child: ChildProcess,
  logFile: string,
  feed: LogFeed | undefined,
  name: string,
): Promise<void> {
  const file = createWriteStream(logFile, { flags: 'a' });
  const closed = new Promise<void>((resolve) => {
    file.once('close', () => resolve());
    file.once('error', () => resolve());
  });
  const streams = [child.stdout, child.stderr].filter((s): s is Readable => s !== null);
  let open = streams.length;
  for (const stream of streams) {
    // stdout and stderr each have their own partial line.
    const source = feed?.source(name);
    stream.on('data', (chunk: Buffer) => {
      source?.write(chunk);
      if (!file.write(chunk)) {
        stream.pause();
        file.once('drain', () => stream.resume());
      }
    });
    stream.once('close', () => {
      source?.end();
      if (--open === 0) file.end();
    });
  }
  if (open === 0) file.end();
  return closed;
}
