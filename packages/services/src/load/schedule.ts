import { FAULTS, type FaultName } from '../common/faults.js';

/** A fault switched on at `at` seconds into the run and off at `until` (or at the end). */
export interface FaultStep {
  readonly fault: FaultName | 'kill';
  /** For `kill`: the service to stop (relay, replay or storage). */
  readonly target?: string;
  readonly at: number;
  readonly until: number | undefined;
  /** Magnitude passed to the service (delay ms, CPU percent). */
  readonly value: number;
}

/** Longest fault offset, in seconds (a timer holds at most 2^31−1 ms). */
const MAX_OFFSET_S = 2_000_000;

const SPEC_RE =
  /^([a-z-]+)(?::([a-z]+))?(?:=(\d+(?:\.\d+)?))?@(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/;

/**
 * Parses `--fault` values: `NAME[=VALUE]@START[-END]` (seconds into the run), or
 * `kill:SERVICE@START`.
 *
 * @example parseFault('slow-disk=200@5-15') // { fault: 'slow-disk', value: 200, at: 5, until: 15 }
 */
export function parseFault(spec: string): FaultStep {
  const m = SPEC_RE.exec(spec);
  if (m === null)
    throw new Error(
      `--fault: expected NAME[=VALUE]@START[-END] or kill:SERVICE@START (seconds), got "${spec}"; faults: ${FAULTS.join(', ')}, kill`,
    );
  const name = m[1]!;
  if (name !== 'kill' && !(FAULTS as readonly string[]).includes(name))
    throw new Error(`--fault: unknown fault "${name}"; known: ${FAULTS.join(', ')}, kill:SERVICE`);
  if (name === 'kill' && !['relay', 'replay', 'storage'].includes(m[2] ?? ''))
    throw new Error(`--fault: kill needs a service, e.g. kill:storage@10, got "${spec}"`);
  const at = Number(m[4]);
  const until = m[5] !== undefined ? Number(m[5]) : undefined;
  // Timers hold at most 2^31−1 ms.
  if (at > MAX_OFFSET_S || (until ?? 0) > MAX_OFFSET_S)
    throw new Error(`--fault: times must be at most ${MAX_OFFSET_S} s into the run, got "${spec}"`);
  if (until !== undefined && until <= at)
    throw new Error(`--fault: the end (${until}s) must come after the start (${at}s) in "${spec}"`);
  return {
    fault: name as FaultName | 'kill',
    ...(m[2] !== undefined ? { target: m[2] } : {}),
    at,
    until,
    value: m[3] !== undefined ? Number(m[3]) : 0,
  };
}

/** Which service's control endpoint switches a fault. */
export function faultOwner(fault: FaultName): 'relay' | 'replay' | 'storage' {
  switch (fault) {
    case 'slow-disk':
      return 'storage';
    case 'stall-replay':
      return 'replay';
    case 'relay-cpu':
    case 'dial-fail':
    case 'ws-reject':
      return 'relay';
  }
}

/** Switches a fault on a service through its `POST /control/fault`. */
export async function switchFault(
  baseUrl: string,
  name: FaultName,
  on: boolean,
  value = 0,
): Promise<void> {
  const res = await fetch(`${baseUrl.replace(/^ws/, 'http')}/control/fault`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, on, value }),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`${baseUrl}: fault ${name} → ${res.status} ${await res.text()}`);
}
