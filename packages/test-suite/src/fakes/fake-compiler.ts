import type { CodeCompiler, CompileResult } from '@webtasks/core';

/**
 * A compiler for engine tests whose bundles are plain JavaScript modules: it drops
 * `import type` lines and turns `export default` into `exports.default =`. A line containing
 * `FAKE_COMPILE_ERROR` yields a diagnostic, to exercise compile failures.
 */
export function createFakeCompiler(): CodeCompiler & { compiled: number } {
  const compiler = {
    specificationVersion: 'v1' as const,
    compiled: 0,
    async compile({ source }: { source: string }): Promise<CompileResult> {
      compiler.compiled += 1;
      const lines = source.split('\n');
      const bad = lines.findIndex((line) => line.includes('FAKE_COMPILE_ERROR'));
      if (bad >= 0) {
        return {
          ok: false,
          diagnostics: [
            {
              line: bad + 1,
              column: 1,
              code: 'fake/error',
              message: 'FAKE_COMPILE_ERROR found',
              severity: 'error',
            },
          ],
        };
      }
      if (!/export default/.test(source)) {
        return {
          ok: false,
          diagnostics: [
            {
              line: 1,
              column: 1,
              code: 'webtasks/default-export',
              message: 'The bundle needs `export default async function run(ctx)`.',
              severity: 'error',
            },
          ],
        };
      }
      const javascript = lines
        .filter((line) => !/^\s*import\s+type\s/.test(line))
        .join('\n')
        .replace(/export\s+default\s+/, 'exports.default = ');
      return { ok: true, javascript, diagnostics: [] };
    },
  };
  return compiler;
}
