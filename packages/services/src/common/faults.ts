import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendError, sendJson } from './http.js';

/** Faults the load generator can switch on in the reference services. */
export const FAULTS = ['slow-disk', 'relay-cpu', 'dial-fail', 'stall-replay', 'ws-reject'] as const;
/** A fault name. */
export type FaultName = (typeof FAULTS)[number];

/** The state of a fault: on/off and an optional magnitude (ms of delay, CPU share, …). */
export interface FaultState {
  on: boolean;
  value: number;
}

/**
 * Switchable faults of one service. Read on the paths they affect
 * (`faults.get('slow-disk').on`), switched by `POST /control/fault`.
 */
export class Faults {
  private readonly state = new Map<FaultName, FaultState>();

  constructor(readonly supported: readonly FaultName[]) {
    for (const f of supported) this.state.set(f, { on: false, value: 0 });
  }

  /** The state of a fault this service supports. */
  get(name: FaultName): FaultState {
    return this.state.get(name) ?? { on: false, value: 0 };
  }

  /** Switches a fault; throws for one this service does not support. */
  set(name: string, on: boolean, value = 0): void {
    const s = this.state.get(name as FaultName);
    if (s === undefined)
      throw new HttpError(
        400,
        `unknown fault "${name}"; this service supports: ${this.supported.join(', ')}`,
      );
    s.on = on;
    s.value = value;
  }

  /** State of every fault, for `GET /control/fault`. */
  snapshot(): Record<string, FaultState> {
    return Object.fromEntries(this.state);
  }

  /**
   * Handles `GET /control/fault` and `POST /control/fault {"name","on","value"?}`; returns
   * false if the request is not for it.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.url !== '/control/fault') return false;
    if (req.method === 'GET') {
      sendJson(res, 200, this.snapshot());
      return true;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'use GET or POST' });
      return true;
    }
    void readJson(req, 4096)
      .then((body) => {
        const b = body as { name?: unknown; on?: unknown; value?: unknown };
        if (typeof b.name !== 'string' || typeof b.on !== 'boolean')
          throw new HttpError(400, 'expected {"name": string, "on": boolean, "value"?: number}');
        if (b.value !== undefined && (typeof b.value !== 'number' || !(b.value >= 0)))
          throw new HttpError(400, '"value" must be a number ≥ 0');
        this.set(b.name, b.on, (b.value as number | undefined) ?? 0);
        sendJson(res, 200, this.snapshot());
      })
      .catch((e) => sendError(res, e));
    return true;
  }
}
