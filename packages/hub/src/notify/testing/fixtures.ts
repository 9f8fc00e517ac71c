/**
 * Alert fixtures and a capturing logger for notifier tests.
 * @module
 */
import type { Alert } from '../alert.js';
import type { LogFields, NotifyLogger } from '../logger.js';

/** `n` firing alerts with distinct labels and realistic annotations. */
export function makeAlerts(n: number, overrides: Partial<Alert> = {}): Alert[] {
  return Array.from({ length: n }, (_, i) => ({
    labels: {
      alertname: 'RelayDialLatencyHigh',
      severity: i % 3 === 0 ? 'page' : 'ticket',
      service: 'relay',
      instance: `relay-${i}.canopy.internal:9464`,
    },
    annotations: {
      summary: `Relay ${i} dial p95 above 2 s`,
      description:
        `The p95 of relay dial latency on instance ${i} has been above 2 s for 5 minutes. `.repeat(
          8,
        ),
    },
    status: 'firing' as const,
    startsAt: 1_700_000_000_000 + i,
    generatorURL: `http://hub.local:9400/graph?g0.expr=relay_dial_seconds&i=${i}`,
    ...overrides,
  }));
}

/** A logger that keeps every line (message + fields) for assertions. */
export class CapturingLogger implements NotifyLogger {
  readonly lines: { level: string; msg: string; fields?: LogFields }[] = [];
  info(msg: string, fields?: LogFields): void {
    this.lines.push(fields === undefined ? { level: 'info', msg } : { level: 'info', msg, fields });
  }
  warn(msg: string, fields?: LogFields): void {
    this.lines.push(fields === undefined ? { level: 'warn', msg } : { level: 'warn', msg, fields });
  }
  /** Everything logged, as one string. */
  text(): string {
    return JSON.stringify(this.lines);
  }
}
