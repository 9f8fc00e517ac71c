/** The label index: which matchers narrow through postings, and removal. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels, Matcher } from '../model.js';
import { Postings, intersect, union } from './postings.js';

const SERIES: Labels[] = [
  { __name__: 'a', job: 'x' },
  { __name__: 'a', job: 'y' },
  { __name__: 'b', job: 'x', mode: 'm' },
  { __name__: 'b' },
];

function index(): Postings {
  const p = new Postings();
  SERIES.forEach((l, id) => p.add(id, l));
  return p;
}

describe('postings', () => {
  const cases: { m: Matcher[]; ids: number[] | undefined; filters: number }[] = [
    { m: [], ids: undefined, filters: 0 },
    { m: [{ name: '__name__', type: '=', value: 'a' }], ids: [0, 1], filters: 0 },
    { m: [{ name: 'job', type: '=~', value: 'x|y' }], ids: [0, 1, 2], filters: 0 },
    { m: [{ name: 'job', type: '!=', value: '' }], ids: [0, 1, 2], filters: 0 },
    { m: [{ name: 'job', type: '!~', value: 'x' }], ids: undefined, filters: 1 },
    { m: [{ name: 'job', type: '=', value: '' }], ids: undefined, filters: 1 },
    {
      m: [
        { name: 'job', type: '=', value: 'x' },
        { name: '__name__', type: '=', value: 'b' },
      ],
      ids: [2],
      filters: 0,
    },
    { m: [{ name: 'nope', type: '=~', value: '.+' }], ids: [], filters: 0 },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.m), () => {
      const sel = index().select(c.m);
      assert.deepEqual(sel.ids, c.ids);
      assert.equal(sel.filters.length, c.filters);
    });
  }

  it('forgets removed series and empty values', () => {
    const p = index();
    p.remove(new Map([[2, SERIES[2]!]]));
    assert.deepEqual(p.select([{ name: 'job', type: '=', value: 'x' }]).ids, [0]);
    assert.deepEqual([...p.names()].sort(), ['__name__', 'job']);
  });

  it('intersects and unions sorted lists', () => {
    assert.deepEqual(intersect([1, 3, 5, 7], [2, 3, 7, 9]), [3, 7]);
    assert.deepEqual(
      union([
        [5, 9],
        [1, 7],
      ]),
      [1, 5, 7, 9],
    );
  });
});
