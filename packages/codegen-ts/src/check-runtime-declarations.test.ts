import { RUNTIME_DECLARATIONS } from '@webtasks/core';
import { describe, expect, it } from 'vitest';
import { checkRuntimeDeclarations } from './check-runtime-declarations.js';

describe('checkRuntimeDeclarations', () => {
  it('the runtime declarations of @webtasks/core type-check cleanly', async () => {
    expect(await checkRuntimeDeclarations()).toEqual([]);
  }, 60_000);

  it('reports a broken declaration at its line in the declaration text', async () => {
    const broken = RUNTIME_DECLARATIONS.replace(
      '  export interface Log {',
      '  export interface Log {\n    extra: Missing;',
    );
    const line = broken.split('\n').findIndex((text) => text.includes('extra: Missing')) + 1;
    expect(await checkRuntimeDeclarations(broken)).toEqual([
      expect.objectContaining({ line, column: 12, code: 'TS2304', severity: 'error' }),
    ]);
  }, 60_000);
});
