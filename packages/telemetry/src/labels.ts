import type { LabelSpec } from './spec.js';
import { formatValue } from './format.js';

/** The value every label folds unknown input into. */
export const OTHER = 'other';

/**
 * Maps a label's input to a slot index in `[0, cardinality)`. Unknown input folds into the
 * `other` slot and bumps {@link LabelResolver.overflow}; nothing here throws or grows.
 */
export interface LabelResolver {
  readonly name: string;
  readonly cardinality: number;
  /** How many inputs have folded into `other` because they were not in the value set. */
  overflow: number;
  /** Slot of an input value. */
  index(v: unknown): number;
  /** The label value string of a slot. */
  valueAt(i: number): string;
}

class EnumResolver implements LabelResolver {
  readonly cardinality: number;
  overflow = 0;
  private readonly map: Map<unknown, number>;
  private readonly values: string[];
  private readonly other: number;

  constructor(
    readonly name: string,
    values: readonly string[],
  ) {
    this.values = [...values];
    if (!this.values.includes(OTHER)) this.values.push(OTHER);
    this.map = new Map(this.values.map((v, i) => [v, i]));
    this.other = this.values.indexOf(OTHER);
    this.cardinality = this.values.length;
  }

  index(v: unknown): number {
    const i = this.map.get(v);
    if (i !== undefined) return i;
    this.overflow++;
    return this.other;
  }

  valueAt(i: number): string {
    return this.values[i]!;
  }
}

class BucketResolver implements LabelResolver {
  readonly cardinality: number;
  overflow = 0;
  private readonly bounds: Float64Array;
  private readonly names: string[];

  constructor(
    readonly name: string,
    bounds: readonly number[],
  ) {
    this.bounds = Float64Array.from(bounds);
    this.names = [...bounds.map(formatValue), '+Inf', OTHER];
    this.cardinality = this.names.length;
  }

  index(v: unknown): number {
    if (typeof v !== 'number' || v !== v) {
      this.overflow++;
      return this.cardinality - 1;
    }
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    return i;
  }

  valueAt(i: number): string {
    return this.names[i]!;
  }
}

class TopKResolver implements LabelResolver {
  readonly cardinality: number;
  overflow = 0;
  private readonly map = new Map<unknown, number>();
  private readonly names: string[] = [];
  private readonly re: RegExp;

  constructor(
    readonly name: string,
    private readonly k: number,
    pattern: string,
  ) {
    this.cardinality = k + 1;
    this.re = new RegExp(`^(?:${pattern})$`);
  }

  index(v: unknown): number {
    const i = this.map.get(v);
    if (i !== undefined) return i;
    // Admission happens at most k times, so the regex test is off the steady-state path.
    if (
      this.names.length < this.k &&
      typeof v === 'string' &&
      v !== OTHER &&
      this.re.test(v) &&
      !HEXISH.test(v)
    ) {
      const slot = this.names.length;
      this.names.push(v);
      this.map.set(v, slot);
      return slot;
    }
    this.overflow++;
    return this.k;
  }

  valueAt(i: number): string {
    return i === this.k ? OTHER : (this.names[i] ?? OTHER);
  }
}

/** Long hex runs look like keys or hashes; they are never admitted as label values. */
const HEXISH = /[0-9a-f]{12,}/i;

/** Default pattern for top-K labels: short lowercase words, never identifiers or addresses. */
export const DEFAULT_TOPK_PATTERN = '[a-z][a-z0-9_-]{0,31}';

/** Builds the resolver for one label specification. */
export function createResolver(name: string, spec: LabelSpec): LabelResolver {
  switch (spec.kind) {
    case 'enum':
      return new EnumResolver(name, spec.values);
    case 'buckets':
      return new BucketResolver(name, spec.bounds);
    case 'topk':
      return new TopKResolver(name, spec.k, spec.pattern ?? DEFAULT_TOPK_PATTERN);
  }
}
