import { describe, expect, it } from 'vitest';
import { assignToolNames, FIXED_TOOL_NAMES, toolNameOf } from './tool-names.js';

const VALID_NAME = /^[A-Za-z0-9_-]{1,64}$/;

describe('tool names of reuse keys', () => {
  it('keeps a key that is already a valid name', () => {
    expect(toolNameOf('yc_companies')).toBe('yc_companies');
    expect(toolNameOf('Table-2')).toBe('Table-2');
  });

  it('cleans dots and colons and adds a hash of the key, so similar keys never meet', () => {
    const dotted = toolNameOf('yc.companies');
    const coloned = toolNameOf('yc:companies');
    expect(dotted).toMatch(/^yc_companies_[0-9a-f]{6}$/);
    expect(coloned).toMatch(/^yc_companies_[0-9a-f]{6}$/);
    expect(dotted).not.toBe(coloned);
    expect(toolNameOf('yc.companies')).toBe(dotted);
  });

  it('cuts long keys to 64 characters and keeps them apart by hash', () => {
    const a = `${'x'.repeat(100)}a`;
    const b = `${'x'.repeat(100)}b`;
    expect(toolNameOf(a)).toMatch(VALID_NAME);
    expect(toolNameOf(a)).toHaveLength(64);
    expect(toolNameOf(a)).not.toBe(toolNameOf(b));
  });

  it('never hands out a fixed tool name', () => {
    for (const fixed of FIXED_TOOL_NAMES) {
      expect(toolNameOf(fixed)).not.toBe(fixed);
      expect(toolNameOf(fixed)).toMatch(VALID_NAME);
    }
  });

  it('resolves the rare remaining collision the same way whatever the order of the keys', () => {
    const hashed = toolNameOf('a.b');
    // A key spelled exactly like another key's hashed name.
    const keys = ['a.b', hashed, 'a:b', 'plain'];
    const forward = assignToolNames(keys);
    const backward = assignToolNames([...keys].reverse());
    expect([...forward.entries()].sort()).toEqual([...backward.entries()].sort());
    expect(forward.get(hashed)).toBe(hashed);
    expect(forward.get('a.b')).not.toBe(hashed);
    expect(forward.get('a.b')).toMatch(VALID_NAME);
    expect(new Set(forward.values()).size).toBe(4);
  });
});
