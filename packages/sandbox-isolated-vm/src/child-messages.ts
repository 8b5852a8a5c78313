import type { SandboxErrorKind } from '@webtasks/core';

/** Limits the child applies itself (the parent applies the others). */
export interface ChildRunLimits {
  memoryMb: number;
  /** Host calls that may wait for their reply at once; one more ends the run. */
  maxConcurrentCalls: number;
  cpuTimeoutMs: number;
  maxOutputBytes: number;
  maxLogEntries: number;
}

/** Parent → child. */
export type ParentMessage =
  | { type: 'init'; prelude: string }
  | { type: 'run'; runId: number; code: string; paramsJson: string; limits: ChildRunLimits }
  | { type: 'reply'; runId: number; callId: number; ok: true; json: string }
  | { type: 'reply'; runId: number; callId: number; ok: false; message: string }
  | { type: 'cancel'; runId: number; reason: 'timeout' | 'aborted' };

/** How a run ended, as the child saw it. */
export type ChildOutcome =
  | { ok: true; json: string }
  | { ok: false; kind: SandboxErrorKind; message: string; stack?: string };

/** Child → parent. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'call'; runId: number; callId: number; json: string }
  | { type: 'log'; runId: number; level: LogLevel; message: string }
  | { type: 'done'; runId: number; outcome: ChildOutcome; cpuMs?: number; heapBytes?: number };

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LOG_LEVELS = new Set<string>(['debug', 'info', 'warn', 'error']);
const CHILD_ERROR_KINDS = new Set<string>([
  'threw',
  'timeout',
  'memory',
  'output-too-large',
  'invalid-output',
  'invalid-code',
  'too-many-calls',
  'aborted',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);
const optionalNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * Check a message from a child. The child runs hostile code, so anything it sends is
 * untrusted: a malformed message yields `undefined` (and is dropped), never an exception.
 */
export function parseChildMessage(raw: unknown): ChildMessage | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'call':
      if (!isId(raw.runId) || !isId(raw.callId) || typeof raw.json !== 'string') return undefined;
      return { type: 'call', runId: raw.runId, callId: raw.callId, json: raw.json };
    case 'log':
      if (!isId(raw.runId) || typeof raw.level !== 'string' || !LOG_LEVELS.has(raw.level)) return undefined;
      if (typeof raw.message !== 'string') return undefined;
      return { type: 'log', runId: raw.runId, level: raw.level as LogLevel, message: raw.message };
    case 'done': {
      if (!isId(raw.runId)) return undefined;
      const outcome = parseOutcome(raw.outcome);
      if (!outcome) return undefined;
      return {
        type: 'done',
        runId: raw.runId,
        outcome,
        cpuMs: optionalNumber(raw.cpuMs),
        heapBytes: optionalNumber(raw.heapBytes),
      };
    }
    default:
      return undefined;
  }
}

function parseOutcome(raw: unknown): ChildOutcome | undefined {
  if (!isRecord(raw)) return undefined;
  if (raw.ok === true) return typeof raw.json === 'string' ? { ok: true, json: raw.json } : undefined;
  if (raw.ok !== false || typeof raw.kind !== 'string' || !CHILD_ERROR_KINDS.has(raw.kind)) return undefined;
  const message = typeof raw.message === 'string' ? raw.message : 'The code failed.';
  const stack = typeof raw.stack === 'string' ? raw.stack : undefined;
  return { ok: false, kind: raw.kind as SandboxErrorKind, message, stack };
}
