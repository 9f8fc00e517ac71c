import type { IncomingMessage, ServerResponse } from 'node:http';

/** An HTTP error with a status and a message for people. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Close the connection after answering (the request body was not fully read). */
    readonly close = false,
  ) {
    super(message);
  }
}

/** Reads a JSON body up to `limit` bytes; 413 beyond it, 415 for a non-JSON type, 400 for bad JSON. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json'))
    throw new HttpError(415, `expected content-type application/json, got "${type}"`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit)
    throw new HttpError(413, `body of ${declared} bytes is over the limit of ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) {
      // Answer 413, then close: the rest of the body is never read.
      req.socket.setTimeout(5000);
      throw new HttpError(413, `body is over the limit of ${limit} bytes`, true);
    }
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(s),
  });
  res.end(s);
}

/** Writes an error response from anything thrown. */
export function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof HttpError) {
    if (e.close) {
      res.setHeader('connection', 'close');
      res.once('finish', () => res.socket?.destroySoon());
    }
    sendJson(res, e.status, { error: e.message });
  } else sendJson(res, 500, { error: 'internal error' });
}

/** Parses `HOST:PORT` (IPv6 in brackets). Throws a message naming the flag. */
export function parseHostPort(v: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v);
  const port = m !== null ? Number(m[3]) : NaN;
  if (m === null || port > 65535)
    throw new Error(`${flag}: expected HOST:PORT (e.g. 127.0.0.1:7000), got "${v}"`);
  return { host: m[1] ?? m[2]!, port };
}
