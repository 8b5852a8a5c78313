import { toWebtasksError, WebtasksError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserProvider, EgressPolicy } from '../ports/browser.js';
import type { OutputStats } from '../ports/bundle-store.js';
import type { IdGenerator, Logger } from '../ports/clock.js';
import type { JsonObject, JsonSchema, JsonValue } from '../ports/common.js';
import type { CodeCompiler } from '../ports/compiler.js';
import type { Sandbox, SandboxLimits, SandboxLogEntry, SandboxStats } from '../ports/sandbox.js';
import type { FailureEvidence } from '../reuse/state-machine.js';
import { detectDrift } from '../validation/drift.js';
import type { OutputValidator } from '../validation/output-validator.js';
import type { MeteredModel } from './metered-model.js';
import { createRunHost, type StoredFileRef } from './sandbox-host.js';

/** What running code needs from the engine. */
export interface CodeRunnerDeps {
  browser: BrowserProvider;
  sandbox: Sandbox;
  compiler: CodeCompiler;
  blobs: BlobStore;
  ids: IdGenerator;
  validator: OutputValidator;
  logger: Logger;
  egress?: EgressPolicy;
  sandboxLimits?: SandboxLimits;
  /** Compiled JavaScript by source text, shared between runs. */
  compileCache: Map<string, string>;
  compileCacheSize?: number;
}

/** One run of code. */
export interface RunCodeOptions {
  source: string;
  outputSchema: JsonSchema;
  params: JsonObject;
  workspaceId: string;
  webTaskId: string;
  model: MeteredModel;
  modelName: string;
  /** Statistics of the saved version, for drift checks (saved runs only). */
  stats?: OutputStats;
  signal?: AbortSignal;
  onLog?: (entry: SandboxLogEntry) => void;
}

export type RunCodeResult =
  | { ok: true; output: JsonValue; files: StoredFileRef[]; stats: SandboxStats; logs: SandboxLogEntry[] }
  | { ok: false; evidence: FailureEvidence; fatal?: WebtasksError; stats?: SandboxStats };

const FATAL_CODES = new Set(['no-ai-credits-left', 'aborted', 'model-auth', 'invalid-config']);

function formatLogs(logs: SandboxLogEntry[]): string[] {
  return logs.slice(-30).map((l) => `[${l.level}] ${l.message.slice(0, 500)}`);
}

function sampleOf(output: JsonValue): JsonValue {
  if (Array.isArray(output)) return output.slice(0, 3);
  const text = JSON.stringify(output);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : output;
}

/** Compile `source` (cached by text). */
export async function compileSource(
  deps: Pick<CodeRunnerDeps, 'compiler' | 'compileCache' | 'compileCacheSize'>,
  source: string,
  signal?: AbortSignal,
): Promise<{ ok: true; javascript: string } | { ok: false; message: string }> {
  const cached = deps.compileCache.get(source);
  if (cached !== undefined) return { ok: true, javascript: cached };
  const result = await deps.compiler.compile({ source, ...(signal ? { signal } : {}) });
  if (!result.ok) {
    const lines = result.diagnostics
      .filter((d) => d.severity === 'error')
      .slice(0, 10)
      .map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
    return { ok: false, message: `The code does not compile:\n${lines.join('\n')}` };
  }
  if (deps.compileCache.size >= (deps.compileCacheSize ?? 500)) {
    const oldest = deps.compileCache.keys().next().value;
    if (oldest !== undefined) deps.compileCache.delete(oldest);
  }
  deps.compileCache.set(source, result.javascript);
  return { ok: true, javascript: result.javascript };
}

/**
 * Compile, run in a fresh browser session inside the sandbox, validate against the schema
 * and (for saved code) check for drift. Failures come back as evidence for the agent.
 */
export async function runCode(deps: CodeRunnerDeps, options: RunCodeOptions): Promise<RunCodeResult> {
  const compiled = await compileSource(deps, options.source, options.signal);
  if (!compiled.ok) return { ok: false, evidence: { kind: 'compile-error', message: compiled.message } };

  const session = await deps.browser.openSession({
    ...(deps.egress ? { egress: deps.egress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const host = createRunHost({
      session,
      blobs: deps.blobs,
      workspaceId: options.workspaceId,
      webTaskId: options.webTaskId,
      ids: deps.ids,
      model: options.model,
      modelName: options.modelName,
      validator: deps.validator,
      ...(options.onLog ? { onLog: options.onLog } : {}),
    });
    const result = await deps.sandbox.run({
      code: compiled.javascript,
      params: options.params,
      host,
      ...(deps.sandboxLimits ? { limits: deps.sandboxLimits } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });

    const failure = async (evidence: FailureEvidence, fatal?: WebtasksError): Promise<RunCodeResult> => {
      const snapshot = await session.observe({ maxItemsPerList: 5 }).catch(() => undefined);
      return {
        ok: false,
        evidence: {
          ...evidence,
          logs: formatLogs(result.logs),
          ...(snapshot ? { pageSnapshot: snapshot.text.slice(0, 12_000), pageUrl: snapshot.url } : {}),
        },
        ...(fatal ? { fatal } : {}),
        stats: result.stats,
      };
    };

    if (!result.ok) {
      const fatal =
        result.error.kind === 'aborted'
          ? new WebtasksError({ code: 'aborted', message: result.error.message })
          : undefined;
      const policy = host.policyError;
      const kind = policy ? 'policy-denied' : result.error.kind;
      const message =
        policy && !result.error.message.includes(policy.message)
          ? `${result.error.message} (${policy.message})`
          : result.error.message;
      return failure(
        { kind, message, ...(result.error.stack ? { stack: result.error.stack } : {}) },
        fatal ?? host.fatalError,
      );
    }
    const check = deps.validator.validate(options.outputSchema, result.output);
    if (!check.ok)
      return failure({
        kind: 'invalid-output',
        message: check.message,
        outputSample: sampleOf(result.output),
      });
    const drift = detectDrift(options.stats, result.output);
    if (drift) return failure({ kind: 'drift', message: drift, outputSample: sampleOf(result.output) });
    return { ok: true, output: result.output, files: host.files, stats: result.stats, logs: result.logs };
  } catch (error) {
    const wrapped = toWebtasksError(error, 'Running the code failed');
    return {
      ok: false,
      evidence: { kind: wrapped.code, message: wrapped.message },
      ...(FATAL_CODES.has(wrapped.code) ? { fatal: wrapped } : {}),
    };
  } finally {
    await session
      .close()
      .catch((error: unknown) =>
        deps.logger.warn('closing a browser session failed', { error: String(error) }),
      );
  }
}
