import type { IncomingMessage, ServerResponse } from 'node:http';
import { ActorStoppedError } from '../actors/actor.js';
import type { Faults } from '../common/faults.js';
import { HttpError, readJson, sendError, sendJson } from '../common/http.js';
import type { Logger } from '../common/log.js';
import { parseEventsQuery } from './query.js';
import type { EventStore } from './store.js';
import { BatchError, checkBatch } from './validate.js';
import type { Writer } from './writer.js';

/** Largest `POST /events` body, in bytes (4 MiB). */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** What the HTTP API works on. */
export interface ApiDeps {
  readonly store: EventStore;
  readonly writer: Writer;
  readonly faults: Faults;
  readonly log: Logger;
}

const ROUTES = 'GET|POST /events, GET /stats, GET /healthz, GET|POST /control/fault';

// A short, fixed reason per refusal for the log: client text (content types, JSON errors)
// never reaches it. Batch problems bring their own reason.
const REFUSAL: Record<number, string> = {
  400: 'invalid_json',
  413: 'body_too_large',
  415: 'content_type',
};

function methodNotAllowed(res: ServerResponse, method: string | undefined, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { error: `method ${method ?? ''} not allowed here: use ${allow}` });
}

/**
 * The storage HTTP API as a `node:http` handler:
 *
 * - `POST /events` `{"events": SignedEvent[]}` → `{"stored", "duplicates"}`; all or nothing.
 * - `GET /events?after=ROWID&limit=N` → `{"events", "next"}` in write order.
 * - `GET /events?ns=NS&author=KEY&after_seq=SEQ&limit=N` → `{"events"}` of one stream by seq.
 * - `GET /stats` → `{"events": count}`; `GET /healthz` → `{"ok": true}`.
 * - `GET|POST /control/fault` → the service's {@link Faults}.
 *
 * @example http.createServer(createApiHandler({ store, writer, faults, log }))
 */
export function createApiHandler(
  deps: ApiDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { store, writer, faults, log } = deps;

  const refuse = (res: ServerResponse, e: unknown): void => {
    if (e instanceof BatchError) {
      log.warn({ status: e.status, reason: e.reason, index: e.index }, 'batch refused');
      sendError(res, e);
    } else if (e instanceof HttpError) {
      log.warn({ status: e.status, reason: REFUSAL[e.status] ?? 'refused' }, 'batch refused');
      // A body we did not read would otherwise be left on a keep-alive connection.
      if (e.status === 413) res.setHeader('connection', 'close');
      sendError(res, e);
    } else if (e instanceof ActorStoppedError) {
      sendJson(res, 503, { error: 'storage is stopping; retry against a running instance' });
    } else {
      log.error({ err: (e as Error).message }, 'write failed');
      sendError(res, e);
    }
  };

  const post = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const events = await checkBatch(await readJson(req, MAX_BATCH_BYTES));
    // The sender's batch span, if any; a malformed header starts a new trace, never an error.
    const tp = req.headers.traceparent;
    const r = await writer.write(
      events,
      false,
      typeof tp === 'string' ? { traceparent: tp } : undefined,
    );
    sendJson(res, 200, r);
  };

  const get = (res: ServerResponse, search: string): void => {
    const q = parseEventsQuery(new URLSearchParams(search));
    if (q.kind === 'cursor') {
      const rows = store.readAfter(q.after, q.limit);
      const events = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) events[i] = rows[i]!.event;
      sendJson(res, 200, {
        events,
        next: rows.length > 0 ? rows[rows.length - 1]!.rowid : q.after,
      });
    } else {
      sendJson(res, 200, { events: store.readStream(q.ns, q.author, q.afterSeq, q.limit) });
    }
  };

  return (req, res) => {
    if (faults.handle(req, res)) return;
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi === -1 ? url : url.slice(0, qi);
    const search = qi === -1 ? '' : url.slice(qi + 1);
    try {
      switch (path) {
        case '/events':
          if (req.method === 'POST') void post(req, res).catch((e) => refuse(res, e));
          else if (req.method === 'GET') get(res, search);
          else methodNotAllowed(res, req.method, 'GET, POST');
          return;
        case '/stats':
          if (req.method === 'GET') sendJson(res, 200, { events: store.count });
          else methodNotAllowed(res, req.method, 'GET');
          return;
        case '/healthz':
          if (req.method === 'GET') sendJson(res, 200, { ok: true });
          else methodNotAllowed(res, req.method, 'GET');
          return;
        default:
          sendJson(res, 404, {
            error: `no such path "${path.slice(0, 100)}"; storage serves ${ROUTES}`,
          });
      }
    } catch (e) {
      if (e instanceof HttpError) sendError(res, e);
      else {
        log.error({ err: (e as Error).message }, 'read failed');
        sendError(res, e);
      }
    }
  };
}
