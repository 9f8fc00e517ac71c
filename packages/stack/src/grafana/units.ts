/** The web model's value units as Grafana unit ids. */

const UNITS: Readonly<Record<string, string>> = {
  seconds: 's',
  bytes: 'bytes',
  ratio: 'percentunit',
  number: 'short',
  per_second: 'ops',
  bytes_per_second: 'Bps',
  cores: 'short',
  timestamp: 'dateTimeAsIso',
};

/**
 * The Grafana unit of a web model unit; `short` for one it does not know.
 *
 * @example grafanaUnit('bytes_per_second') // 'Bps'
 */
export function grafanaUnit(unit: string): string {
  return UNITS[unit] ?? 'short';
}
