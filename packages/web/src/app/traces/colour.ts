/** A service's colour in the trace views: the same service, the same colour, on every page. */
import { PALETTE } from '../chart.js';

/**
 * A colour from the graph palette chosen by the service's name (FNV-1a), so it does not
 * depend on which other services a trace has.
 *
 * @example serviceColour('relay') === serviceColour('relay') // true
 */
export function serviceColour(service: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < service.length; i++) {
    h ^= service.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return PALETTE[h % PALETTE.length]!;
}
