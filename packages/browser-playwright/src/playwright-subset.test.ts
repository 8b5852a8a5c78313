// The browser's dispatch must serve exactly the operations the port lists (PAGE_OPS,
// LOCATOR_OPS), from which the engine's host-call check, the declaration and the prelude are
// held too (packages/core/src/runtime/playwright-subset.test.ts). This fails when they differ.
import { readFileSync } from 'node:fs';
import { LOCATOR_OPS, LOCATOR_STEP_KINDS, PAGE_OPS } from '@webtasks/core';
import { describe, expect, it } from 'vitest';

function casesOf(file: string): string[] {
  const source = readFileSync(new URL(file, import.meta.url), 'utf8');
  return [...new Set([...source.matchAll(/^\s+case '([^']+)':/gm)].map((m) => m[1] ?? ''))].sort();
}

describe('the browser serves the port’s Playwright subset', () => {
  it('dispatches every page operation and no other', () => {
    expect(casesOf('./execute-command.ts')).toEqual([...PAGE_OPS].sort());
  });

  it('dispatches every locator operation and no other', () => {
    expect(casesOf('./locator-ops.ts')).toEqual([...LOCATOR_OPS].sort());
  });

  it('builds every locator step the port lists, plus the agent tools’ element refs', () => {
    expect(casesOf('./locator-chain.ts')).toEqual([...LOCATOR_STEP_KINDS, 'ref'].sort());
  });
});
