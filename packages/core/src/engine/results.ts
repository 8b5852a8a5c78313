import type { WebTaskResult } from '@webtasks/protocol';
import type { TaskRecord } from '../ports/task-store.js';

const ZERO_COST = { aiUsd: 0, compute: { unit: 'hours' as const, amount: 0 } };

/** The wire result object (SPEC §3) of a stored task. */
export function toWebTaskResult(record: TaskRecord): WebTaskResult {
  const base = { webTaskId: record.webTaskId, reuse: { ...record.reuse } };
  if (record.status !== 'completed') return { ...base, status: record.status };
  if (record.outcome === 'success' && record.result) {
    return {
      ...base,
      status: 'completed',
      outcome: 'success',
      result: record.result,
      cost: record.cost ?? ZERO_COST,
    };
  }
  return {
    ...base,
    status: 'completed',
    outcome: 'failed',
    error: record.error ?? { code: 'internal-error', message: 'The task failed without an error message.' },
    cost: record.cost ?? ZERO_COST,
  };
}
