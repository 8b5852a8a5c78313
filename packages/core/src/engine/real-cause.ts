import type { TaskError, TaskErrorCode } from '@webtasks/protocol';
import { ERROR_CODES, type ErrorCode, WebTasksError } from '../errors.js';
import type { FailureEvidence } from '../reuse/state-machine.js';
import type { SettingNames } from './setting-names.js';

/**
 * Errors of the agent that mean no repair could even be tried: the saved run's own error is
 * then the task's real cause, not these.
 */
const NO_REPAIR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'model-not-configured',
  'no-ai-credits-left',
  'model-auth',
  'model-unavailable',
  'model-not-found',
]);

/** True when `error`, raised before the agent's first successful model call, means no repair was tried. */
export function preventedRepair(error: WebTasksError, modelCalls: number): boolean {
  return modelCalls === 0 && NO_REPAIR_CODES.has(error.code);
}

/** The task error code a failed run's evidence stands for (`policy-denied` → `rejected`). */
export function taskCodeOfEvidence(evidence: FailureEvidence): TaskErrorCode {
  return (
    (ERROR_CODES as Record<string, { task: TaskErrorCode } | undefined>)[evidence.kind]?.task ?? 'rejected'
  );
}

/** The run's error message, with the setting that fixes an egress refusal spelled as the user types it. */
export function describeRunFailure(evidence: FailureEvidence, settings: SettingNames): string {
  // One line, so the first line of the task error holds all of it (Playwright's call log
  // lines say which selector was waited for).
  const message = evidence.message
    .replace(/^\[webtasks:[^\]]+\]\s*/, '')
    .split('\n')
    .map((line) => line.trim().replace(/^- /, ''))
    .filter((line) => line !== '')
    .join('; ');
  if (evidence.kind !== 'policy-denied' || !evidence.blockedUrl) return message;
  // The browser adapter's own hint names its library option; the user gets their spelling below.
  const withoutLibraryHint = message.replace(
    /[;,]?\s*to allow it, add "[^"]+"(?: \(or "[^"]+"\))? to egress\.allowHosts/g,
    '',
  );
  let host: string;
  try {
    const url = new URL(evidence.blockedUrl);
    host = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return message;
  }
  return `${withoutLibraryHint.replace(/[.\s]+$/, '')}. To allow it: ${settings.allowHost(host)}`;
}

/**
 * The task error when the saved code failed and no repair could be tried: the run's error
 * first, the reason there was no repair after it, and both kept in `causes`.
 */
export function savedRunFailure(options: {
  version: number;
  evidence: FailureEvidence;
  repairError: WebTasksError;
  settings: SettingNames;
}): TaskError {
  const { version, evidence, repairError, settings } = options;
  const run = describeRunFailure(evidence, settings);
  const repair = repairError.message.replace(/^\[webtasks:[^\]]+\]\s*/, '');
  return {
    code: taskCodeOfEvidence(evidence),
    message: `The saved code (v${version}) failed: ${run}\nNo repair was tried: ${repair}`,
    causes: [
      { stage: 'saved-run', code: evidence.kind, message: evidence.message },
      { stage: 'repair', code: repairError.code, message: repairError.message },
    ],
  };
}

/** The error of a task that needs the agent where no model is configured. */
export function modelNotConfigured(why: string, settings: SettingNames): WebTasksError {
  return new WebTasksError({
    code: 'model-not-configured',
    message: `${why}, and no language model is configured: ${settings.model}.`,
  });
}
