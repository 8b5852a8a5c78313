import { describe, expect, it } from 'vitest';
import { MAX_RUN_SAMPLES, paramsKey, recordRun, samplesToReplay } from './run-samples.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Co ${i}` }));
const at = '2026-01-01T00:00:00.000Z';

describe('run samples', () => {
  it('treats parameter sets with the same keys in another order as one', () => {
    expect(paramsKey({ b: 1, a: { y: [1, 'x'], x: null } })).toBe(
      paramsKey({ a: { x: null, y: [1, 'x'] }, b: 1 }),
    );
    expect(paramsKey({ a: 1 })).not.toBe(paramsKey({ a: '1' }));
  });

  it('remembers distinct parameters newest last, with the stats of each run, and carries them over', () => {
    let stats = recordRun({ stats: undefined, output: rows(3), params: { batch: 'S24' }, at });
    stats = recordRun({ stats, output: rows(5), params: { batch: 'W21' }, at });
    stats = recordRun({ stats, output: rows(4), params: { batch: 'S24' }, at });
    expect(stats.runs).toBe(3);
    expect(stats.samples?.map((s) => [s.params, s.stats.rowCounts])).toEqual([
      [{ batch: 'W21' }, [5]],
      [{ batch: 'S24' }, [4]],
    ]);
    const next = recordRun({
      stats: undefined,
      output: rows(2),
      params: { batch: 'F25' },
      at,
      carried: stats.samples,
    });
    expect(next.runs).toBe(1);
    expect(next.samples?.map((s) => s.params.batch)).toEqual(['W21', 'S24', 'F25']);
    let many = next;
    for (let i = 0; i < 20; i += 1) many = recordRun({ stats: many, output: rows(1), params: { i }, at });
    expect(many.samples).toHaveLength(MAX_RUN_SAMPLES);
    expect(many.samples?.at(-1)?.params).toEqual({ i: 19 });
  });

  it('keeps no parameters of side-effecting runs', () => {
    const stats = recordRun({
      stats: undefined,
      output: rows(3),
      params: { email: 'a@b.test' },
      at,
      sideEffects: true,
    });
    expect(stats.samples).toBeUndefined();
    expect(stats.rowCounts).toEqual([3]);
  });

  it('replays up to K samples, newest first, never the current parameters', () => {
    let stats = recordRun({ stats: undefined, output: rows(3), params: { n: 1 }, at });
    for (const n of [2, 3, 4, 5]) stats = recordRun({ stats, output: rows(3), params: { n }, at });
    expect(samplesToReplay(stats.samples, { n: 5 }, 3).map((s) => s.params.n)).toEqual([4, 3, 2]);
    expect(samplesToReplay(stats.samples, { n: 9 }, 2).map((s) => s.params.n)).toEqual([5, 4]);
    expect(samplesToReplay(undefined, {}, 3)).toEqual([]);
  });
});
