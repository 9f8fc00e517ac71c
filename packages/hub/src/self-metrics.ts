/**
 * The hub's own metrics in the Prometheus text format. The hub may not import the
 * telemetry library (DESIGN.md: the hub meets services only over HTTP), so this small set is
 * rendered by hand; the hub scrapes it like any target.
 */

import type { SignalStats } from './signals.js';

/** Counters and gauges the hub keeps about itself. */
export interface HubStats {
  series: number;
  headSeries: number;
  samplesAppended: number;
  samplesRejected: number;
  bytesOnDisk: number;
  queries: number;
  queryErrors: number;
  querySeconds: number;
  /** Rule evaluation and notification counters; absent when no rules are loaded. */
  alerting?: {
    ruleGroupEvaluations: number;
    ruleEvaluationFailures: number;
    alertsFiring: number;
    alertsPending: number;
    notificationsSent: number;
    notificationsFailed: number;
  };
  /** Traces, logs and exemplars (see signals.ts); absent when the hub has none. */
  signals?: SignalStats;
}

const startTime = Math.round((Date.now() - performance.now()) / 10) / 100;

function family(name: string, type: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${Number.isFinite(value) ? value : 0}\n`;
}

/** The families about traces, logs and exemplars; '' for a store that is off. */
function renderSignals(s: SignalStats | undefined): string {
  if (s === undefined) return '';
  let out = '';
  const t = s.traces;
  if (t !== undefined)
    out +=
      family(
        'canopy_hub_spans_received_total',
        'counter',
        'Spans received over OTLP and stored.',
        s.receiver.spansReceived,
      ) +
      family(
        'canopy_hub_otlp_requests_rejected_total',
        'counter',
        'OTLP trace requests refused (malformed, too large, wrong content type); nothing of them is stored.',
        s.receiver.requestsRejected,
      ) +
      family('canopy_hub_traces_stored', 'gauge', 'Traces in the trace store.', t.stats.traces) +
      family('canopy_hub_spans_stored', 'gauge', 'Spans in the trace store.', t.stats.spans) +
      family(
        'canopy_hub_trace_store_bytes',
        'gauge',
        'Bytes of span data in the trace store (its size bound counts these).',
        t.stats.bytes,
      ) +
      family(
        'canopy_hub_traces_evicted_total',
        'counter',
        'Traces deleted as the oldest when the trace store was full.',
        t.stats.tracesEvicted,
      );
  const l = s.logs;
  if (l !== undefined)
    out +=
      family(
        'canopy_hub_log_lines_appended_total',
        'counter',
        'Log lines stored (captured from services or pushed).',
        l.stats.appended,
      ) +
      family(
        'canopy_hub_log_lines_rejected_total',
        'counter',
        'Pushed log lines refused as malformed.',
        s.logPush.pushRejected,
      ) +
      family('canopy_hub_log_lines_stored', 'gauge', 'Lines in the log store.', l.stats.rows) +
      family(
        'canopy_hub_log_store_bytes',
        'gauge',
        'Bytes of line text in the log store (its size bound counts these).',
        l.stats.bytes,
      ) +
      family(
        'canopy_hub_log_lines_evicted_total',
        'counter',
        'Log lines deleted as the oldest when the log store was full.',
        l.stats.evicted,
      );
  if (s.exemplars !== undefined)
    out += family(
      'canopy_hub_exemplars_stored',
      'gauge',
      'Exemplars in the in-memory exemplar store.',
      s.exemplars.size,
    );
  return out;
}

/** Renders the hub's self-metrics (text format 0.0.4). */
export function renderHubMetrics(s: HubStats): string {
  const cpu = process.cpuUsage();
  const a = s.alerting;
  const alerting =
    a === undefined
      ? ''
      : family(
          'canopy_hub_rule_group_evaluations_total',
          'counter',
          'Rule group evaluations.',
          a.ruleGroupEvaluations,
        ) +
        family(
          'canopy_hub_rule_evaluation_failures_total',
          'counter',
          'Rule evaluations that failed (see /api/v1/rules for the error).',
          a.ruleEvaluationFailures,
        ) +
        family('canopy_hub_alerts_firing', 'gauge', 'Alerts in the firing state.', a.alertsFiring) +
        family(
          'canopy_hub_alerts_pending',
          'gauge',
          'Alerts waiting out their for: duration.',
          a.alertsPending,
        ) +
        family(
          'canopy_hub_notifications_total',
          'counter',
          'Alert group notifications acknowledged by a receiver.',
          a.notificationsSent,
        ) +
        family(
          'canopy_hub_notifications_failed_total',
          'counter',
          'Alert group notifications not delivered (retried at the next group flush).',
          a.notificationsFailed,
        );
  return (
    alerting +
    renderSignals(s.signals) +
    family('canopy_hub_series', 'gauge', 'Series known to the hub TSDB.', s.series) +
    family('canopy_hub_head_series', 'gauge', 'Series with an open head chunk.', s.headSeries) +
    family(
      'canopy_hub_samples_appended_total',
      'counter',
      'Samples appended to the TSDB.',
      s.samplesAppended,
    ) +
    family(
      'canopy_hub_samples_rejected_total',
      'counter',
      'Samples rejected (out of order or duplicate).',
      s.samplesRejected,
    ) +
    family('canopy_hub_storage_bytes', 'gauge', 'Bytes of the TSDB on disk.', s.bytesOnDisk) +
    family('canopy_hub_queries_total', 'counter', 'PromQL queries evaluated.', s.queries) +
    family(
      'canopy_hub_query_errors_total',
      'counter',
      'PromQL queries that failed.',
      s.queryErrors,
    ) +
    family(
      'canopy_hub_query_seconds_total',
      'counter',
      'Time spent evaluating PromQL queries.',
      s.querySeconds,
    ) +
    family(
      'process_cpu_seconds_total',
      'counter',
      'Total user and system CPU time spent by the process.',
      (cpu.user + cpu.system) / 1e6,
    ) +
    family(
      'process_resident_memory_bytes',
      'gauge',
      'Resident memory size of the process.',
      process.memoryUsage.rss(),
    ) +
    family(
      'process_start_time_seconds',
      'gauge',
      'Start time of the process since the Unix epoch.',
      startTime,
    )
  );
}
