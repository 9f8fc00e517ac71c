/**
 * The label index: for every label name and value, the sorted ids of the series that carry
 * it (a postings list). Equality matchers are one lookup; regex matchers test each distinct
 * value of their label once, not each series.
 */
import type { Labels, Matcher } from '../model.js';
import { compileMatcher } from '../matchers.js';
import type { CompiledMatcher } from '../matchers.js';

/** Matchers split by how they are answered: from postings, or by testing each candidate. */
export interface Selection {
  /** Sorted candidate ids, or undefined for "every series". */
  readonly ids: readonly number[] | undefined;
  /** Matchers that must still be tested against each candidate's labels. */
  readonly filters: readonly CompiledMatcher[];
}

/** Postings lists of every label pair. Ids are added in increasing order. */
export class Postings {
  private readonly byName = new Map<string, Map<string, number[]>>();

  /** Indexes a new series; `id` must be larger than any id added before. */
  add(id: number, labels: Labels): void {
    for (const name in labels) {
      const value = labels[name]!;
      let values = this.byName.get(name);
      if (values === undefined) this.byName.set(name, (values = new Map()));
      const list = values.get(value);
      if (list === undefined) values.set(value, [id]);
      else list.push(id);
    }
  }

  /** Removes series from the index (retention); cost is linear in the affected lists. */
  remove(series: ReadonlyMap<number, Labels>): void {
    const touched = new Map<number[], true>();
    for (const labels of series.values()) {
      for (const name in labels) {
        const list = this.byName.get(name)?.get(labels[name]!);
        if (list !== undefined) touched.set(list, true);
      }
    }
    for (const list of touched.keys()) {
      let w = 0;
      for (const id of list) if (!series.has(id)) list[w++] = id;
      list.length = w;
    }
    for (const [name, values] of this.byName) {
      for (const [value, list] of values) if (list.length === 0) values.delete(value);
      if (values.size === 0) this.byName.delete(name);
    }
  }

  /** Label names in the index. */
  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /**
   * Narrows matchers to candidate series. A matcher that an absent label fails
   * (`job="x"`, `job=~".+"`, `job!=""`) selects through postings; one that an absent label
   * passes (`job!="x"`, `job=~"x|"`) can't, and is returned as a filter.
   */
  select(matchers: readonly Matcher[]): Selection {
    const filters: CompiledMatcher[] = [];
    const lists: number[][] = [];
    for (const m of matchers) {
      const test = compileMatcher(m);
      if (test({})) {
        filters.push(test);
        continue;
      }
      const values = this.byName.get(m.name);
      if (values === undefined) return { ids: [], filters: [] };
      if (m.type === '=') {
        const list = values.get(m.value);
        if (list === undefined) return { ids: [], filters: [] };
        lists.push(list);
        continue;
      }
      const parts: number[][] = [];
      const one: Record<string, string> = {};
      for (const [value, list] of values) {
        one[m.name] = value;
        if (test(one)) parts.push(list);
      }
      if (parts.length === 0) return { ids: [], filters: [] };
      lists.push(union(parts));
    }
    if (lists.length === 0) return { ids: undefined, filters };
    lists.sort((a, b) => a.length - b.length);
    let ids = lists[0]!;
    for (let i = 1; i < lists.length && ids.length > 0; i++) ids = intersect(ids, lists[i]!);
    return { ids, filters };
  }
}

/** Intersection of two sorted id lists. */
export function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/** Union of sorted id lists that are pairwise disjoint (one label has one value per series). */
export function union(lists: readonly number[][]): number[] {
  if (lists.length === 1) return lists[0]!;
  const out: number[] = [];
  for (const l of lists) for (const id of l) out.push(id);
  return out.sort((a, b) => a - b);
}
