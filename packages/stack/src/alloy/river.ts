/**
 * A small writer of Alloy's configuration syntax: blocks, attributes, strings, lists,
 * objects and raw expressions (component references, `sys.env(…)`), laid out as `alloy fmt`
 * does (tab indents, `=` aligned within a run of attributes).
 */

/** A raw Alloy expression, written as is: `prometheus.relabel.canopy.receiver`. */
export class Expr {
  constructor(readonly code: string) {}
}

/**
 * A raw expression.
 *
 * @example expr('local.file.prom_password.content')
 */
export const expr = (code: string): Expr => new Expr(code);

/** An Alloy value. */
export type Value =
  string | number | boolean | Expr | readonly Value[] | { readonly [key: string]: Value };

/** `name = value` inside a block. */
export interface Attr {
  readonly kind: 'attr';
  readonly name: string;
  readonly value: Value;
}

/** `name "label" { … }`. */
export interface Block {
  readonly kind: 'block';
  readonly name: string;
  readonly label?: string;
  readonly body: readonly (Attr | Block | Raw)[];
}

/** Alloy text written into a block as is (one statement or more), re-indented. */
export interface Raw {
  readonly kind: 'raw';
  readonly text: string;
}

/**
 * Text inserted as is, e.g. the scrub rule pack's `stage.replace` blocks.
 *
 * @example raw('stage.replace {\n\texpression = "x"\n\treplace = "y"\n}')
 */
export const raw = (text: string): Raw => ({ kind: 'raw', text });

/**
 * An attribute.
 *
 * @example attr('forward_to', [expr('loki.write.cloud.receiver')])
 */
export const attr = (name: string, value: Value): Attr => ({ kind: 'attr', name, value });

/**
 * A block; `label` undefined for an unlabelled one.
 *
 * @example block('loki.write', 'cloud', [block('endpoint', undefined, [attr('url', 'http://…')])])
 */
export function block(
  name: string,
  label: string | undefined,
  body: readonly (Attr | Block | Raw | undefined)[],
): Block {
  const kept = body.filter((b): b is Attr | Block | Raw => b !== undefined);
  return label === undefined
    ? { kind: 'block', name, body: kept }
    : { kind: 'block', name, label, body: kept };
}

/** An Alloy string literal (Go escapes, double quotes). */
export function str(s: string): string {
  return JSON.stringify(s);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function value(v: Value, indent: string): string {
  if (v instanceof Expr) return v.code;
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const inner = indent + '\t';
  if (Array.isArray(v)) {
    const items = v as readonly Value[];
    if (items.length === 0) return '[]';
    const flat = items.map((x) => value(x, inner));
    const one = `[${flat.join(', ')}]`;
    if (one.length <= 80 && !one.includes('\n')) return one;
    return `[\n${flat.map((x) => `${inner}${x},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(v as Record<string, Value>);
  if (entries.length === 0) return '{}';
  const keys = entries.map(([k]) => (IDENT.test(k) ? k : str(k)));
  const w = Math.max(...keys.map((k) => k.length));
  return `{\n${entries
    .map(([, x], i) => `${inner}${keys[i]!.padEnd(w)} = ${value(x, inner)},\n`)
    .join('')}${indent}}`;
}

function body(items: readonly (Attr | Block | Raw)[], indent: string): string {
  let out = '';
  let i = 0;
  while (i < items.length) {
    const it = items[i]!;
    if (it.kind === 'raw') {
      if (out !== '' && !out.endsWith('{\n')) out += '\n';
      for (const l of it.text.trim().split('\n')) out += l.trim() === '' ? '\n' : `${indent}${l}\n`;
      i++;
      continue;
    }
    if (it.kind === 'block') {
      if (out !== '' && !out.endsWith('{\n')) out += '\n';
      out += blockText(it, indent);
      i++;
      continue;
    }
    let j = i;
    while (j < items.length && items[j]!.kind === 'attr') j++;
    const run = items.slice(i, j) as Attr[];
    const w = Math.max(...run.map((a) => a.name.length));
    if (out !== '' && !out.endsWith('{\n')) out += '\n';
    for (const a of run) out += `${indent}${a.name.padEnd(w)} = ${value(a.value, indent)}\n`;
    i = j;
  }
  return out;
}

function blockText(b: Block, indent: string): string {
  const head = `${indent}${b.name}${b.label !== undefined ? ` ${str(b.label)}` : ''} {`;
  if (b.body.length === 0) return `${head}}\n`;
  return `${head}\n${body(b.body, indent + '\t')}${indent}}\n`;
}

/**
 * The text of a config file: `comment` lines (`// …`) then the top-level blocks, a blank
 * line between them.
 *
 * @example renderAlloy([block('logging', undefined, [attr('level', 'info')])]) // 'logging {\n\tlevel = "info"\n}\n'
 */
export function renderAlloy(blocks: readonly Block[], comment: readonly string[] = []): string {
  const head = comment.map((c) => `// ${c}\n`).join('');
  return (head !== '' ? head + '\n' : '') + blocks.map((b) => blockText(b, '')).join('\n');
}
