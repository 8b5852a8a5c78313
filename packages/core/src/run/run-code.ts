import { isFatalError, toWebTasksError, WebTasksError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { BrowserProvider, EgressPolicy, ProxySettings } from '../ports/browser.js';
import type { CompiledCode, OutputStats } from '../ports/bundle-store.js';
import type { IdGenerator, Logger } from '../ports/clock.js';
import type { JsonObject, JsonSchema, JsonValue } from '../ports/common.js';
import type { CodeCompiler } from '../ports/compiler.js';
import type { RunArtifact } from '../ports/run-record.js';
import type { Sandbox, SandboxLimits, SandboxLogEntry, SandboxStats } from '../ports/sandbox.js';
import type { FailureEvidence } from '../reuse/state-machine.js';
import type { SecretRedactor } from '../secrets/redaction.js';
import { detectDrift } from '../validation/drift.js';
import type { OutputValidator } from '../validation/output-validator.js';
import { compiledCodeFor, usableCompiled } from './compiled-code.js';
import type { MeteredModel } from './metered-model.js';
import {
  type ArtifactTarget,
  captureFailureArtifacts,
  DEFAULT_MAX_TRACE_BYTES,
  storeTrace,
} from './run-artifacts.js';
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
  /** The task's upstream proxy (password included: never log this object). */
  proxy?: ProxySettings;
  sandboxLimits?: SandboxLimits;
  /** Compiled JavaScript by source text, shared between runs. */
  compileCache: Map<string, string>;
  compileCacheSize?: number;
  /** Largest Playwright trace kept as an artifact. Default 50 MiB. */
  maxTraceBytes?: number;
  /**
   * The task's secrets. The executor also wraps `browser` with them (`browserWithSecrets`),
   * so code and the agent hold placeholders only.
   */
  taskSecrets?: SecretRedactor;
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
  /** The saved version's stored JavaScript: run instead of compiling when it fits this source and compiler. */
  compiled?: CompiledCode;
  /** Statistics of the saved version, for drift checks (saved runs only). */
  stats?: OutputStats;
  signal?: AbortSignal;
  onLog?: (entry: SandboxLogEntry) => void;
  /** Record a Playwright trace of this run and keep it as an artifact. */
  trace?: boolean;
}

/**
 * The JavaScript a run executed, fit for storing with the version (absent when the compiler
 * has no version); `fromStore` when it came from `RunCodeOptions.compiled` (no compiler call).
 */
export interface RanCode {
  compiled?: CompiledCode;
  fromStore: boolean;
}

/**
 * How a run ended. `artifacts` holds the screenshot and HTML at a failure and the trace when
 * asked for (stored in the blob store under the task's run prefix).
 */
export type RunCodeResult =
  | {
      ok: true;
      output: JsonValue;
      files: StoredFileRef[];
      stats: SandboxStats;
      logs: SandboxLogEntry[];
      ran: RanCode;
      artifacts: RunArtifact[];
    }
  | {
      ok: false;
      evidence: FailureEvidence;
      fatal?: WebTasksError;
      stats?: SandboxStats;
      ran?: RanCode;
      artifacts: RunArtifact[];
    };

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
  const stored = usableCompiled(options.compiled, options.source, deps.compiler);
  const compiled =
    stored === undefined
      ? await compileSource(deps, options.source, options.signal)
      : { ok: true as const, javascript: stored };
  if (!compiled.ok)
    return { ok: false, evidence: { kind: 'compile-error', message: compiled.message }, artifacts: [] };
  const storable =
    stored === undefined
      ? compiledCodeFor(options.source, compiled.javascript, deps.compiler)
      : options.compiled;
  const ran: RanCode = { ...(storable ? { compiled: storable } : {}), fromStore: stored !== undefined };

  const trace = options.trace === true && deps.browser.capabilities.traces;
  const session = await deps.browser.openSession({
    ...(deps.egress ? { egress: deps.egress } : {}),
    ...(deps.proxy ? { proxy: deps.proxy } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(trace ? { trace: true } : {}),
  });
  const target: ArtifactTarget = {
    blobs: deps.blobs,
    ids: deps.ids,
    logger: deps.logger,
    workspaceId: options.workspaceId,
    webTaskId: options.webTaskId,
  };
  // Every returned result shares this array; the `finally` below appends the trace to it
  // before the caller sees the result (a `finally` runs before the returned promise settles).
  const artifacts: RunArtifact[] = [];
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
      ...(deps.taskSecrets ? { secrets: deps.taskSecrets } : {}),
    });
    const result = await deps.sandbox.run({
      code: compiled.javascript,
      params: options.params,
      host,
      ...(deps.sandboxLimits ? { limits: deps.sandboxLimits } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });

    // Callers `return await failure(…)`: without the await, the `finally` below would close the
    // session before the snapshot, screenshot and HTML of the failed page were taken.
    const failure = async (evidence: FailureEvidence, fatal?: WebTasksError): Promise<RunCodeResult> => {
      const snapshot = await session.observe({ maxItemsPerList: 5 }).catch(() => undefined);
      artifacts.push(...(await captureFailureArtifacts(target, session)));
      return {
        ok: false,
        evidence: {
          ...evidence,
          logs: formatLogs(result.logs),
          ...(snapshot ? { pageSnapshot: snapshot.text.slice(0, 12_000), pageUrl: snapshot.url } : {}),
        },
        ...(fatal ? { fatal } : {}),
        stats: result.stats,
        ran,
        artifacts,
      };
    };

    if (!result.ok) {
      const fatal =
        result.error.kind === 'aborted'
          ? new WebTasksError({ code: 'aborted', message: result.error.message })
          : undefined;
      const policy = host.policyError;
      const kind = policy ? 'policy-denied' : result.error.kind;
      const message =
        policy && !result.error.message.includes(policy.message)
          ? `${result.error.message} (${policy.message})`
          : result.error.message;
      const blockedUrl = (policy?.details as { url?: unknown } | undefined)?.url;
      return await failure(
        {
          kind,
          message,
          ...(result.error.stack ? { stack: result.error.stack } : {}),
          ...(typeof blockedUrl === 'string' ? { blockedUrl } : {}),
        },
        fatal ?? host.fatalError,
      );
    }
    // The code caught a fatal host-call error and went on: the task still ends with it.
    if (host.fatalError)
      return await failure({ kind: host.fatalError.code, message: host.fatalError.message }, host.fatalError);
    const check = deps.validator.validate(options.outputSchema, result.output);
    if (!check.ok)
      return await failure({
        kind: 'invalid-output',
        message: check.message,
        outputSample: sampleOf(result.output),
      });
    const drift = detectDrift(options.stats, result.output);
    if (drift) return await failure({ kind: 'drift', message: drift, outputSample: sampleOf(result.output) });
    return {
      ok: true,
      output: result.output,
      files: host.files,
      stats: result.stats,
      logs: result.logs,
      ran,
      artifacts,
    };
  } catch (error) {
    const wrapped = toWebTasksError(error, 'Running the code failed');
    return {
      ok: false,
      evidence: { kind: wrapped.code, message: wrapped.message },
      ...(isFatalError(wrapped) ? { fatal: wrapped } : {}),
      ran,
      artifacts,
    };
  } finally {
    const closed = await session.close().catch((error: unknown) => {
      deps.logger.warn('closing a browser session failed', { error: String(error) });
      return undefined;
    });
    if (closed?.trace) {
      const kept = await storeTrace(
        target,
        closed.trace,
        deps.maxTraceBytes ?? DEFAULT_MAX_TRACE_BYTES,
      ).catch((error: unknown) => {
        deps.logger.warn('could not store the Playwright trace', { error: String(error) });
        return undefined;
      });
      if (kept) artifacts.push(kept);
    }
  }
}
