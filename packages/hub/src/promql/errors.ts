/**
 * The one error type of the PromQL engine. `type` is the Prometheus HTTP API error type the
 * failure maps to: `bad_data` (HTTP 400: the query can't be parsed or its parameters are
 * wrong), `execution` (HTTP 422: it parsed but can't be evaluated on this data) or `timeout`
 * (HTTP 503).
 *
 * @example
 * try { parseExpr('sum(') } catch (e) { if (e instanceof PromQLError) e.type } // 'bad_data'
 */
export class PromQLError extends Error {
  readonly type: 'bad_data' | 'execution' | 'timeout';

  constructor(type: 'bad_data' | 'execution' | 'timeout', message: string) {
    super(message);
    this.name = 'PromQLError';
    this.type = type;
  }
}

/** A parse error at a byte offset of `input`, formatted as Prometheus does (`1:5: parse error: …`). */
export function parseError(input: string, pos: number, message: string): PromQLError {
  let line = 1;
  let lastBreak = -1;
  const end = Math.min(Math.max(pos, 0), input.length);
  for (let i = 0; i < end; i++) {
    if (input.charCodeAt(i) === 10) {
      line++;
      lastBreak = i;
    }
  }
  return new PromQLError('bad_data', `${line}:${end - lastBreak}: parse error: ${message}`);
}

/** An evaluation error (HTTP 422 in the API). */
export function execError(message: string): PromQLError {
  return new PromQLError('execution', message);
}

/** The message Prometheus gives when one step's result holds two samples with one label set. */
export const DUPLICATE_LABELSET = 'vector cannot contain metrics with the same labelset';

/** A parse or type error at a byte offset, turned into a {@link PromQLError} by `parseExpr`. */
export class ParseFailure {
  constructor(
    readonly pos: number,
    readonly message: string,
  ) {}
}

/** Throws a {@link ParseFailure}. */
export function fail(pos: number, message: string): never {
  throw new ParseFailure(pos, message);
}
