/**
 * Route matchers in Alertmanager's syntax (`severity="page"`, `service=~"relay|replay"`), read
 * the way the hub's validation reads them and written back in the one form every Alertmanager
 * version parses alike: the value always quoted, with only `\\`, `\"` and `\n` escaped.
 */
import { quote, type Matcher } from '../slo/promql.js';

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/**
 * Parses one matcher of an already validated spec (see the hub's `parseRouteMatcher` for the
 * messages a person sees); throws a plain Error for anything else.
 *
 * @example parseMatcher('service=~"relay|replay"') // { name: 'service', op: '=~', value: 'relay|replay' }
 */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (m === null) throw new Error(`"${text}" is not a matcher such as severity="page"`);
  const raw = m[3]!;
  const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  return { name: m[1]!, op: m[2] as Matcher['op'], value };
}

/**
 * Writes a matcher as Alertmanager reads it back.
 *
 * @example formatMatcher({ name: 'severity', op: '=', value: 'page' }) // 'severity="page"'
 */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${quote(m.value)}`;
}

/**
 * Whether a label set satisfies a matcher; an absent label reads as `""` and regular
 * expressions are anchored, as in Alertmanager.
 *
 * @example matches({ severity: 'page' }, parseMatcher('severity!="ticket"')) // true
 */
export function matches(labels: Readonly<Record<string, string>>, m: Matcher): boolean {
  const v = labels[m.name] ?? '';
  const hit =
    m.op === '=' || m.op === '!=' ? v === m.value : new RegExp(`^(?:${m.value})$`, 's').test(v);
  return hit === (m.op === '=' || m.op === '=~');
}
