import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * Bump when this package's output can change for the same source and ts-morph version
 * (transpile options, static rules, the shape of the emitted module).
 */
export const COMPILER_FORMAT = 1;

/** ts-morph's version, read from its package.json (loading ts-morph itself costs seconds). */
function tsMorphVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('ts-morph/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The `CodeCompiler.version` of a ts-morph compiler: its format, ts-morph's version (which
 * fixes the TypeScript it bundles), and a hash of the settings that decide what passes (the
 * runtime declaration, allowed globals, size limit).
 */
export function compilerVersion(settings: {
  runtimeDeclarations: string;
  allowedGlobals: ReadonlySet<string>;
  maxSourceBytes: number;
}): string {
  const hash = createHash('sha256')
    .update(settings.runtimeDeclarations)
    .update('\0')
    .update([...settings.allowedGlobals].sort().join(','))
    .update('\0')
    .update(String(settings.maxSourceBytes))
    .digest('hex')
    .slice(0, 16);
  return `codegen-ts/${COMPILER_FORMAT} ts-morph/${tsMorphVersion()} settings/${hash}`;
}
