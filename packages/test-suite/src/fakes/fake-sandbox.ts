import vm from 'node:vm';
import type {
  JsonValue,
  Sandbox,
  SandboxLogEntry,
  SandboxRunOptions,
  SandboxRunResult,
} from '@webtasks/core';
import { RUNTIME_ERROR_NAMES, RUNTIME_PRELUDE } from '@webtasks/core';

/**
 * A sandbox for engine tests: the real runtime prelude in a `node:vm` context. It is NOT
 * a security boundary (capabilities say so); it exists so that engine tests exercise the
 * same bridge as the real sandbox without starting isolates.
 */
export function createFakeSandbox(): Sandbox & { runs: number } {
  const sandbox = {
    specificationVersion: 'v1' as const,
    capabilities: { isolation: false, crashContainment: false },
    runs: 0,
    async run(options: SandboxRunOptions): Promise<SandboxRunResult> {
      sandbox.runs += 1;
      const started = Date.now();
      const logs: SandboxLogEntry[] = [];
      let hostCalls = 0;
      const stats = () => ({ wallMs: Date.now() - started, hostCalls });
      const context = vm.createContext({
        __wt_call: (json: string) => {
          hostCalls += 1;
          return options.host.call(JSON.parse(json), options.signal ? { signal: options.signal } : {}).then(
            (value) => JSON.stringify(value ?? null),
            (error: unknown) => {
              throw new Error(error instanceof Error ? error.message : String(error));
            },
          );
        },
        __wt_log: (level: SandboxLogEntry['level'], message: string) => {
          const entry = { level, message, atMs: Date.now() - started };
          logs.push(entry);
          options.host.onLog?.(entry);
        },
      });
      try {
        vm.runInContext(RUNTIME_PRELUDE, context);
        const module = { exports: {} as Record<string, unknown> };
        vm.runInContext(`(function (module, exports) {\n${options.code}\n})`, context)(
          module,
          module.exports,
        );
        const run = vm.runInContext('__wt_run', context) as (fn: unknown, params: string) => Promise<string>;
        const wallMs = options.limits?.wallTimeoutMs ?? 60_000;
        let timer: NodeJS.Timeout | undefined;
        let onAbort: (() => void) | undefined;
        const json = await Promise.race([
          run(module.exports.default, JSON.stringify(options.params)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  Object.assign(new Error(`The code ran longer than ${wallMs} ms`), { kind: 'timeout' }),
                ),
              wallMs,
            );
            onAbort = () => reject(Object.assign(new Error('The run was aborted'), { kind: 'aborted' }));
            if (options.signal?.aborted) onAbort();
            options.signal?.addEventListener('abort', onAbort, { once: true });
          }),
        ]).finally(() => {
          clearTimeout(timer);
          if (onAbort) options.signal?.removeEventListener('abort', onAbort);
        });
        return { ok: true, output: JSON.parse(json) as JsonValue, logs, stats: stats() };
      } catch (error) {
        const e = error as Error & { kind?: string };
        const kind =
          e.kind === 'timeout' || e.kind === 'aborted'
            ? e.kind
            : e.name === RUNTIME_ERROR_NAMES.invalidCode
              ? 'invalid-code'
              : e.name === RUNTIME_ERROR_NAMES.invalidOutput
                ? 'invalid-output'
                : 'threw';
        return {
          ok: false,
          error: { kind, message: e.message ?? String(error), ...(e.stack ? { stack: e.stack } : {}) },
          logs,
          stats: stats(),
        };
      }
    },
    async close() {},
  };
  return sandbox;
}
