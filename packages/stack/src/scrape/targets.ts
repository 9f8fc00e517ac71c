/**
 * What the generated scrape configs scrape: one entry per /metrics endpoint, with the
 * `service` label it gets and its `sample_limit`. The CLI builds the list from canopy.yaml
 * (`scrape.targets`) or, without targets, from {@link UP_LAYOUT}.
 */

/** One endpoint to scrape. */
export interface StackTarget {
  /** The /metrics URL, e.g. `http://127.0.0.1:7100/metrics`. */
  readonly url: string;
  /** Value of the `service` target label: `relay`, `replay`, `storage`, `host`, … */
  readonly service: string;
  /** Value of the `instance` label when it should not be the URL's host:port. */
  readonly instance?: string;
  /** Samples one scrape may return before the scrape fails (Prometheus `sample_limit`). */
  readonly sampleLimit: number;
}

/** node_exporter's address in the default layout (its Debian/NixOS default port). */
export const NODE_EXPORTER_ADDRESS = '127.0.0.1:9100';

/**
 * The `/metrics` endpoints `canopy up` starts (two relays, replay, storage; metrics on
 * base port + 100…103, base 7000) plus node_exporter for the host — the targets when
 * canopy.yaml lists none, and the defaults of the NixOS module (nix/module.nix).
 */
export const UP_LAYOUT: readonly { readonly url: string; readonly service: string }[] = [
  { url: 'http://127.0.0.1:7100/metrics', service: 'relay' },
  { url: 'http://127.0.0.1:7101/metrics', service: 'relay' },
  { url: 'http://127.0.0.1:7102/metrics', service: 'replay' },
  { url: 'http://127.0.0.1:7103/metrics', service: 'storage' },
  { url: `http://${NODE_EXPORTER_ADDRESS}/metrics`, service: 'host' },
];

/** Headroom over the catalog's declared maximum series in {@link sampleLimitFor}: 25 %. */
export const SAMPLE_LIMIT_HEADROOM = 0.25;

/**
 * The `sample_limit` of a target whose service can expose at most `maxSeries` series: the
 * maximum plus {@link SAMPLE_LIMIT_HEADROOM}, rounded up to a multiple of 10. A scrape over it
 * fails (and `up` goes to 0) instead of filling the budget with series nobody declared.
 *
 * @example sampleLimitFor(162) // 210
 */
export function sampleLimitFor(maxSeries: number, headroom = SAMPLE_LIMIT_HEADROOM): number {
  return Math.ceil((maxSeries * (1 + headroom)) / 10) * 10;
}
