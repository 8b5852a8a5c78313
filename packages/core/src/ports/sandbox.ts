import type { LocatorStep, PageCommand } from './browser.js';
import type { CallOptions, JsonObject, JsonSchema, JsonValue } from './common.js';

/**
 * A call from generated code to the host. The sandbox forwards these untouched to
 * `SandboxHost.call`; the engine decides what each does.
 */
export type HostCall =
  | { kind: 'page'; command: PageCommand }
  | {
      kind: 'files.download';
      /** `url`: fetch this URL through the browser; `click`: click the locator and catch the download. */
      trigger: { kind: 'url'; url: string } | { kind: 'click'; locator: LocatorStep[] };
      /** File name to store it under; defaults to the name the site suggests. */
      name?: string;
    }
  | { kind: 'ai.extract'; input: string; schema: JsonSchema; instructions?: string }
  | { kind: 'ai.classify'; input: string; labels: string[]; instructions?: string }
  /** The current TOTP code of the task's secret `name` (a stored two-factor seed). */
  | { kind: 'secrets.totp'; name: string };

/** The engine's side of the bridge. */
export interface SandboxHost {
  /** Execute one bridged call; a thrown error surfaces inside the sandbox as an Error. */
  call(request: HostCall, options?: CallOptions): Promise<JsonValue>;
  /** Receives each log line as it is written (for live progress). Optional. */
  onLog?(entry: SandboxLogEntry): void;
}

/** One line written through `ctx.log`. */
export interface SandboxLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** Milliseconds since the run started. */
  atMs: number;
}

/** Resource limits of one run. Adapters apply defaults for missing fields. */
export interface SandboxLimits {
  /** Heap limit of the isolate in MiB. Default 128. */
  memoryMb?: number;
  /** CPU time the code itself may use, in ms (time spent waiting on the host not counted). Default 30 000. */
  cpuTimeoutMs?: number;
  /** Wall-clock time of the whole run, enforced by the host, in ms. Default 300 000. */
  wallTimeoutMs?: number;
  /** Largest output, as JSON bytes. Default 32 MiB. */
  maxOutputBytes?: number;
  /** Largest number of host calls in one run. Default 100 000. */
  maxHostCalls?: number;
  /**
   * Largest number of host calls waiting for their reply at once; one more ends the run
   * (`too-many-calls`), so a `Promise.all` over thousands of calls cannot flood the host.
   * Default 64.
   */
  maxConcurrentCalls?: number;
  /** Largest reply of one host call, as JSON bytes; a larger one rejects that call. Default 8 MiB. */
  maxReplyBytes?: number;
  /** Largest number of log lines kept. Default 1 000. */
  maxLogEntries?: number;
}

/** Options of one sandbox run. */
export interface SandboxRunOptions extends CallOptions {
  /**
   * Compiled JavaScript in CommonJS shape: evaluated with `module` and `exports` in scope,
   * it sets `exports.default` (or `module.exports.default`) to `async (ctx) => output`.
   */
  code: string;
  /** The task's parameters, given to the code as `ctx.params`. */
  params: JsonObject;
  host: SandboxHost;
  limits?: SandboxLimits;
}

/** Why a run failed. */
export type SandboxErrorKind =
  /** The code threw (or a host call it did not catch failed). */
  | 'threw'
  /** CPU or wall-clock limit reached. */
  | 'timeout'
  /** Heap limit reached. */
  | 'memory'
  /** The isolate's process died; the pool replaced it. */
  | 'crashed'
  /** The output is larger than `maxOutputBytes`. */
  | 'output-too-large'
  /** The output is not JSON (a function, a cycle, undefined). */
  | 'invalid-output'
  /** The code does not export a default function, or does not evaluate. */
  | 'invalid-code'
  /** Too many host calls, in all or waiting at once. */
  | 'too-many-calls'
  /** The signal fired. */
  | 'aborted';

/** Counters of one run. */
export interface SandboxStats {
  wallMs: number;
  /** CPU time spent in the isolate, when the adapter can measure it. */
  cpuMs?: number;
  hostCalls: number;
  /** Peak heap of the isolate in bytes, when known. */
  heapBytes?: number;
}

/** The outcome of one run. */
export type SandboxRunResult =
  | { ok: true; output: JsonValue; logs: SandboxLogEntry[]; stats: SandboxStats }
  | {
      ok: false;
      error: { kind: SandboxErrorKind; message: string; stack?: string };
      logs: SandboxLogEntry[];
      stats: SandboxStats;
    };

/** What a sandbox supports. */
export interface SandboxCapabilities {
  /** Hostile code is contained (a real isolate), not just run. */
  isolation: boolean;
  /** A crash of the runtime (V8 fatal OOM) costs only the run. */
  crashContainment: boolean;
}

/** Runs generated code under limits, bridging its calls to a host. */
export interface Sandbox {
  readonly specificationVersion: 'v1';
  readonly capabilities: SandboxCapabilities;
  /** Run the code once. Never rejects for anything the code does: failures are results. */
  run(options: SandboxRunOptions): Promise<SandboxRunResult>;
  /** Stop every worker. Idempotent: a second call resolves without doing anything. */
  close(options?: CallOptions): Promise<void>;
}
