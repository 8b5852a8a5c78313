import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../ports/common.js';
import { detectDrift, updateStats } from './drift.js';
import { createOutputValidator } from './output-validator.js';

const rows = (n: number, fill = true) =>
  Array.from({ length: n }, (_, i) => ({ name: `Co ${i}`, website: fill ? `https://co${i}.test` : '' }));

describe('output validation', () => {
  const validator = createOutputValidator();
  const schema = {
    type: 'array',
    items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  };

  it('accepts valid output and explains invalid output by path', () => {
    expect(validator.validate(schema, [{ name: 'a' }])).toEqual({ ok: true });
    const bad = validator.validate(schema, [{ name: 1 }, {}]);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(
      /\/0\/name must be string; \/1 must have required property 'name'/,
    );
  });

  it('supports draft 2020-12 keywords and formats', () => {
    const tuple: JsonSchema = {
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'string', format: 'email' }],
      items: false,
    };
    expect(validator.validate(tuple, ['a', 'x@y.test'])).toEqual({ ok: true });
    expect(validator.validate(tuple, ['a', 'not-an-email']).ok).toBe(false);
  });
});

describe('drift', () => {
  it('flags a list that always had rows and now has none', () => {
    const stats = updateStats(updateStats(undefined, rows(300)), rows(280));
    expect(stats.rowCounts).toEqual([300, 280]);
    expect(detectDrift(stats, [])).toMatch(/no rows, but every earlier run .* at least 280/);
    expect(detectDrift(stats, rows(5))).toBeUndefined();
  });

  it('flags a field that was always filled and is now empty in every row', () => {
    const stats = updateStats(undefined, rows(20));
    expect(detectDrift(stats, rows(20, false))).toMatch(/\[\]\.website/);
    // A field that was sometimes empty is not a signal.
    const mixed = updateStats(stats, rows(20, false));
    expect(detectDrift(mixed, rows(20, false))).toBeUndefined();
  });

  it('does not flag small or first outputs', () => {
    expect(detectDrift(undefined, [])).toBeUndefined();
    expect(detectDrift(updateStats(undefined, rows(1)), [])).toBeUndefined();
    expect(detectDrift(updateStats(undefined, { total: 3 }), { total: 4 })).toBeUndefined();
  });

  it('keeps a bounded window of runs', () => {
    let stats = updateStats(undefined, rows(3));
    for (let i = 0; i < 30; i += 1) stats = updateStats(stats, rows(4));
    expect(stats.runs).toBe(11);
    expect(stats.rowCounts).toHaveLength(10);
    expect(stats.filledRuns['[].name']).toBe(11);
  });
});
