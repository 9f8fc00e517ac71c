/** A service's colour in the trace views: the same service, the same colour, on every page. */
import { PALETTE } from '../chart.js';

/** The reference services and the hub get fixed, distinct colours. */
const KNOWN: Readonly<Record<string, number>> = { relay: 0, replay: 1, storage: 2, hub: 3 };

/**
 * A colour from the graph palette: fixed for the reference services, else chosen by the
 * service's name (FNV-1a) among the rest, so it does not depend on which other services a
 * trace has.
 *
 * @example serviceColour('relay') // '#2f6fdf'
 */
export function serviceColour(service: string): string {
  const known = KNOWN[service];
  if (known !== undefined) return PALETTE[known]!;
  let h = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    h ^= service.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const rest = PALETTE.length - 4;
  return PALETTE[4 + (h % rest)]!;
}
