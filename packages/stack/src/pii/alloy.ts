/**
 * The rule pack as Alloy `stage.replace` blocks for a `loki.process` component. Loki's
 * replace stage substitutes every capture group of every match with `replace`, so each
 * rule becomes `prefix(source)`: the kept context outside the group, the identifier in it.
 * @module
 */
import { assertEmittable, type PiiRule } from './rule.js';

/**
 * Alloy text: one commented `stage.replace` block per rule, in pack order, tab-indented
 * as `alloy fmt` writes it, to be placed inside `loki.process "…" { … }`.
 *
 * @example
 * import { SCRUB_RULES } from '@canopy/telemetry';
 * const stages = renderAlloyScrubStages(SCRUB_RULES);
 * // stage.replace {
 * // \texpression = "/(?:p2p|ipfs|p2p-circuit/p2p)/([^/\\s\"'<>,;()\\[\\]{}\\\\]+)"
 * // \treplace    = "<peer>"
 * // }
 */
export function renderAlloyScrubStages(rules: readonly PiiRule[]): string {
  const out: string[] = [];
  for (const r of rules) {
    assertEmittable(r);
    const expression = `${r.prefix ?? ''}(${r.source})`;
    out.push(
      `// ${r.name}${r.description !== undefined ? `: ${r.description.replace(/\s+/g, ' ')}` : ''}`,
      'stage.replace {',
      `\texpression = ${JSON.stringify(expression)}`,
      `\treplace    = ${JSON.stringify(r.replacement)}`,
      '}',
      '',
    );
  }
  return out.join('\n');
}
