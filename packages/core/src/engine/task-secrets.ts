import { WebTasksError } from '../errors.js';
import type { LogFields, Logger } from '../ports/clock.js';
import type { TaskRecord } from '../ports/task-store.js';
import { createSecretRedactor, type SecretRedactor } from '../secrets/redaction.js';
import { type SealingKey, seal, unseal } from '../secrets/sealing.js';
import { browserWithSecrets } from '../secrets/secret-browser.js';
import type { WorkspaceSecrets } from '../secrets/workspace-secrets.js';
import type { ExecutorDeps } from './executor-deps.js';

/** Where a request's secrets wait between accept and run. */
export interface RequestSecretsVault {
  /** The sealing key: with it, request secrets are sealed into the task record (any worker can open them). */
  key?: SealingKey;
  /** Without a key: the values, held in this process's memory by task id until the task completes. */
  held: Map<string, Record<string, string>>;
}

function requestContext(workspaceId: string, webTaskId: string): string {
  return `${workspaceId}/request-secrets/${webTaskId}`;
}

/** The record fields for a request's secrets: names always, the values sealed when a key is set. */
export function acceptRequestSecrets(
  vault: RequestSecretsVault,
  task: { workspaceId: string; webTaskId: string },
  secrets: Record<string, string> | undefined,
): { secretNames?: string[]; sealedSecrets?: string } {
  if (!secrets || Object.keys(secrets).length === 0) return {};
  const secretNames = Object.keys(secrets).sort();
  if (vault.key)
    return {
      secretNames,
      sealedSecrets: seal(
        vault.key,
        requestContext(task.workspaceId, task.webTaskId),
        JSON.stringify(secrets),
      ),
    };
  vault.held.set(task.webTaskId, { ...secrets });
  return { secretNames };
}

/** The task's secrets: the workspace's, overridden by the request's (undefined when there are none). */
export async function openTaskSecrets(
  deps: { workspaceSecrets?: WorkspaceSecrets; requestSecrets?: RequestSecretsVault },
  task: TaskRecord,
  signal?: AbortSignal,
): Promise<SecretRedactor | undefined> {
  const stored = deps.workspaceSecrets
    ? await deps.workspaceSecrets.open({ workspaceId: task.workspaceId, ...(signal ? { signal } : {}) })
    : {};
  let fromRequest: Record<string, string> = {};
  if (task.request.secretNames?.length) {
    const vault = deps.requestSecrets;
    if (task.request.sealedSecrets && vault?.key) {
      fromRequest = JSON.parse(
        unseal(vault.key, requestContext(task.workspaceId, task.webTaskId), task.request.sealedSecrets),
      ) as Record<string, string>;
    } else {
      const held = vault?.held.get(task.webTaskId);
      if (!held)
        throw new WebTasksError({
          code: 'rejected',
          message:
            "The request's secrets are held only in memory by the process that accepted the task, which is gone or is not this worker; start the task again, or configure a secrets key so they are sealed into the task record.",
        });
      fromRequest = held;
    }
  }
  const all = { ...stored, ...fromRequest };
  return Object.keys(all).length > 0 ? createSecretRedactor(all) : undefined;
}

function redactingLogger(logger: Logger, redactor: SecretRedactor): Logger {
  const fields = (value: LogFields | undefined) => (value ? redactor.redactJson(value) : value);
  return {
    debug: (message, more) => logger.debug(redactor.redact(message), fields(more)),
    info: (message, more) => logger.info(redactor.redact(message), fields(more)),
    warn: (message, more) => logger.warn(redactor.redact(message), fields(more)),
    error: (message, more) => logger.error(redactor.redact(message), fields(more)),
    child: (more) => redactingLogger(logger.child(redactor.redactJson(more)), redactor),
  };
}

/**
 * The deps of a task with secrets: the browser substitutes placeholders and redacts what
 * comes back, and every boundary out of the engine (events, hence run records; logs) is
 * redacted with the same function.
 */
export function withSecrets(deps: ExecutorDeps, redactor: SecretRedactor | undefined): ExecutorDeps {
  if (!redactor) return deps;
  return {
    ...deps,
    taskSecrets: redactor,
    browser: browserWithSecrets(deps.browser, redactor),
    emit: (event) => deps.emit(redactor.redactJson(event)),
    logger: redactingLogger(deps.logger, redactor),
  };
}
