/**
 * Length limiting for chat payload fields.
 * @module
 */

/** The marker appended to a field that was cut short. */
export const ELLIPSIS = '…';

/**
 * Returns `s` unchanged when it fits in `max` UTF-16 units, else cut to `max` units ending
 * with {@link ELLIPSIS}, never splitting a surrogate pair.
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 0) return '';
  let end = max - ELLIPSIS.length;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return s.slice(0, Math.max(0, end)) + ELLIPSIS;
}
