import type { RunWebhook } from '@webtasks/protocol';
import { createEgressGuard } from '../egress/egress-guard.js';
import type { SettingNames } from '../engine/setting-names.js';
import type { EgressPolicy } from '../ports/browser.js';
import type { Clock, Logger } from '../ports/clock.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { QueueMessage } from '../ports/task-queue.js';
import type { TaskRecord, TaskStore } from '../ports/task-store.js';
import { emptyRunRecord } from '../runs/run-record-builder.js';
import type { RunRecorder } from '../runs/run-recorder.js';
import { createWebhookDispatcher } from './webhook-dispatcher.js';
import type { WebhookOptions } from './webhook-options.js';
import { webhookForStart } from './webhook-target.js';

/**
 * The engine's side of webhooks, kept out of `createWebTasks`: the check at start, the
 * webhook's place in the run record, delivery after a task settles, and the sweep.
 */
export function createEngineWebhooks(options: {
  tasks: TaskStore;
  locks: LockManager;
  egress?: EgressPolicy;
  webhooks?: WebhookOptions;
  clock: Clock;
  logger: Logger;
  recorder: RunRecorder;
  settings: SettingNames;
  /** The process's worker id: the owner of its webhook claims in the task store. */
  owner: string;
}) {
  const guard = createEgressGuard(options.egress);
  const settings = options.webhooks ?? {};
  const dispatcher = createWebhookDispatcher({
    tasks: options.tasks,
    recorder: options.recorder,
    locks: options.locks,
    clock: options.clock,
    logger: options.logger,
    guard,
    settings,
    owner: options.owner,
  });
  // Without a secret no task can have a webhook, so there is nothing to sweep for.
  const enabled = settings.secret !== undefined;
  return {
    /** The checked webhook of a new task (request, else workspace default), or undefined. */
    forStart: (workspaceId: string, requested: { url: string } | undefined) =>
      webhookForStart({ workspaceId, requested, settings, guard, names: options.settings }),
    /** Store the owed webhook in the new task's run record, before the task is queued. */
    record: (task: TaskRecord, webhook: RunWebhook) =>
      options.tasks.putRun({
        run: { ...emptyRunRecord(task.workspaceId, task.webTaskId, task.createdAt), webhook },
      }),
    /** A delivery of the task ended: send its webhook if it completed (not awaited by the queue). */
    settled(message: QueueMessage): void {
      if (enabled) void dispatcher.deliver(message.workspaceId, message.webTaskId);
    },
    /** Sweep for owed webhooks in this process (workers and API-only processes alike). */
    start(): void {
      if (enabled) dispatcher.start();
    },
    stop: () => dispatcher.stop(),
  };
}
