import type { Logger, SandboxLimits } from '@webtasks/core';

/** Options of `createIsolatedVmSandbox`. */
export interface IsolatedVmSandboxOptions {
  /** Child processes hosting isolates; each runs one task at a time. Default 2. */
  workers?: number;
  /** Limits applied to every run, field by field under the run's own `limits`. */
  defaultLimits?: SandboxLimits;
  /** Receives pool events (children started, crashed, killed). Silent by default. */
  logger?: Logger;
  /** Time a new child may take to become ready, in ms. Default 10 000. */
  startTimeoutMs?: number;
  /**
   * After a timeout or an abort the child is asked to dispose the isolate; if it has not confirmed
   * within this many ms it is killed and replaced. Default 2 000.
   */
  cancelGraceMs?: number;
  /** Start one child when the sandbox is created instead of at the first run. Default false. */
  warm?: boolean;
}

/** Limits with every field set. */
export type ResolvedLimits = Required<SandboxLimits>;

/** The port's documented defaults. */
export const DEFAULT_LIMITS: ResolvedLimits = {
  memoryMb: 128,
  cpuTimeoutMs: 30_000,
  wallTimeoutMs: 300_000,
  maxOutputBytes: 32 * 1024 * 1024,
  maxHostCalls: 100_000,
  maxConcurrentCalls: 64,
  maxReplyBytes: 8 * 1024 * 1024,
  maxLogEntries: 1_000,
};

/** isolated-vm refuses less than 8 MiB. */
const MIN_MEMORY_MB = 8;

/** Merge run limits over the sandbox's defaults over the port's defaults, and clamp them to sane values. */
export function resolveLimits(
  defaults: SandboxLimits | undefined,
  limits: SandboxLimits | undefined,
): ResolvedLimits {
  const pick = (key: keyof SandboxLimits): number => {
    const value = limits?.[key] ?? defaults?.[key] ?? DEFAULT_LIMITS[key];
    return Number.isFinite(value) && value >= 0 ? value : DEFAULT_LIMITS[key];
  };
  return {
    memoryMb: Math.max(MIN_MEMORY_MB, pick('memoryMb')),
    cpuTimeoutMs: Math.max(1, pick('cpuTimeoutMs')),
    wallTimeoutMs: Math.max(1, pick('wallTimeoutMs')),
    maxOutputBytes: pick('maxOutputBytes'),
    maxHostCalls: pick('maxHostCalls'),
    maxConcurrentCalls: Math.max(1, pick('maxConcurrentCalls')),
    maxReplyBytes: pick('maxReplyBytes'),
    maxLogEntries: pick('maxLogEntries'),
  };
}
