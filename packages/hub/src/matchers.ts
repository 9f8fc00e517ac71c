import type { Labels, Matcher } from './model.js';

/** A compiled matcher: a predicate over a label value ('' when the label is absent). */
export type CompiledMatcher = (labels: Labels) => boolean;

const cache = new Map<string, RegExp>();

/** Compiles a Prometheus regex: fully anchored, dot matches newline (RE2 `(?s)`). */
export function anchored(re: string): RegExp {
  let r = cache.get(re);
  if (r === undefined) {
    r = new RegExp(`^(?:${re})$`, 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(re, r);
  }
  return r;
}

/** Compiles one matcher. Throws a SyntaxError for an invalid regex. */
export function compileMatcher(m: Matcher): CompiledMatcher {
  const name = m.name;
  switch (m.type) {
    case '=':
      return (l) => (l[name] ?? '') === m.value;
    case '!=':
      return (l) => (l[name] ?? '') !== m.value;
    case '=~': {
      const re = anchored(m.value);
      return (l) => re.test(l[name] ?? '');
    }
    case '!~': {
      const re = anchored(m.value);
      return (l) => !re.test(l[name] ?? '');
    }
  }
}

/** Whether a label set satisfies every matcher. */
export function matchesAll(labels: Labels, matchers: readonly CompiledMatcher[]): boolean {
  for (const m of matchers) if (!m(labels)) return false;
  return true;
}
