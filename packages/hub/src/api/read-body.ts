/**
 * Reads a request body with a size bound, undoing `Content-Encoding: gzip` (bounded too, so a
 * small compressed body cannot expand without limit).
 */

import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** Why a body was refused: `status` is the HTTP answer (413 too large, 415 encoding, 400 bad gzip). */
export class BodyError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * The body of `req`, decompressed, at most `limit` bytes before and after decompression.
 * Throws {@link BodyError}.
 *
 * @example const body = await readBody(req, 4 << 20);
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip')
    throw new BodyError(
      `unsupported Content-Encoding "${encoding}": send the body plain or with gzip`,
      415,
    );
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    throw new BodyError(
      `request body of ${declared} bytes is over the limit of ${limit} bytes`,
      413,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) {
      req.resume();
      throw new BodyError(`request body is over the limit of ${limit} bytes`, 413);
    }
    chunks.push(c as Buffer);
  }
  const raw = Buffer.concat(chunks);
  if (encoding === 'identity') return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: limit });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      throw new BodyError(`request body is over the limit of ${limit} bytes once gunzipped`, 413);
    throw new BodyError(`body is not valid gzip: ${(e as Error).message}`, 400);
  }
}
