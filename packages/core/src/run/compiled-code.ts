import { createHash } from 'node:crypto';
import type { Bundle, BundleStore, CompiledCode } from '../ports/bundle-store.js';
import type { Logger } from '../ports/clock.js';
import type { CodeCompiler } from '../ports/compiler.js';

/** SHA-256 of a bundle's source (UTF-8), lowercase hex: the key of its stored JavaScript. */
export function hashSource(source: string): string {
  return createHash('sha256').update(source, 'utf8').digest('hex');
}

/**
 * The stored JavaScript of `source` when `compiled` may run in place of compiling: produced
 * from this very source by a compiler reporting the same version as `compiler`.
 */
export function usableCompiled(
  compiled: CompiledCode | undefined,
  source: string,
  compiler: Pick<CodeCompiler, 'version'>,
): string | undefined {
  if (!compiled || compiler.version === undefined) return undefined;
  if (compiled.compilerVersion !== compiler.version) return undefined;
  if (compiled.sourceHash !== hashSource(source)) return undefined;
  return compiled.javascript;
}

/** What to store for `javascript` compiled from `source`, or undefined when the compiler has no version. */
export function compiledCodeFor(
  source: string,
  javascript: string,
  compiler: Pick<CodeCompiler, 'version'>,
): CompiledCode | undefined {
  if (compiler.version === undefined) return undefined;
  return { javascript, sourceHash: hashSource(source), compilerVersion: compiler.version };
}

/**
 * Store JavaScript compiled on demand with the saved version it came from, so the next
 * process runs it without the compiler. Best effort: a failure is logged, never fatal. Safe
 * against a racing writer: the stored code names its source's hash, and a reader ignores
 * code whose hash does not match the version's source.
 */
export async function storeCompiled(
  deps: { bundles: BundleStore; logger: Logger },
  bundle: Pick<Bundle, 'workspaceId' | 'reuseKey' | 'version'>,
  compiled: CompiledCode,
  signal?: AbortSignal,
): Promise<void> {
  await deps.bundles
    .saveCompiled({
      workspaceId: bundle.workspaceId,
      reuseKey: bundle.reuseKey,
      version: bundle.version,
      compiled,
      ...(signal ? { signal } : {}),
    })
    .catch((error: unknown) =>
      deps.logger.warn('could not store the compiled code of a saved version', {
        reuseKey: bundle.reuseKey,
        version: bundle.version,
        error: String(error),
      }),
    );
}
