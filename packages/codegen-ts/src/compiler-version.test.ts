import { RUNTIME_DECLARATIONS } from '@webtasks/core';
import { describe, expect, it } from 'vitest';
import { createTsMorphCompiler } from './ts-morph-compiler.js';

describe('the ts-morph compiler version', () => {
  it('is the same for the same settings and names the ts-morph it compiles with', () => {
    const version = createTsMorphCompiler().version;
    expect(createTsMorphCompiler({ runtimeDeclarations: RUNTIME_DECLARATIONS }).version).toBe(version);
    expect(version).toMatch(/^codegen-ts\/\d+ ts-morph\/\d+\.\d+\.\d+ settings\/[0-9a-f]{16}$/);
  });

  it('changes with every setting that decides what compiles', () => {
    const base = createTsMorphCompiler().version;
    const variants = [
      createTsMorphCompiler({ allowedGlobals: ['URL'] }).version,
      createTsMorphCompiler({ maxSourceBytes: 1000 }).version,
      createTsMorphCompiler({ runtimeDeclarations: `${RUNTIME_DECLARATIONS}\n// changed` }).version,
    ];
    expect(new Set([base, ...variants]).size).toBe(4);
  });
});
