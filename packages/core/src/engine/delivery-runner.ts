import { WebTasksError } from '../errors.js';
import type { Logger } from '../ports/clock.js';
import type { DeliveryInfo, QueueMessage } from '../ports/task-queue.js';
import type { TaskStore } from '../ports/task-store.js';
import type { RunRecorder } from '../runs/run-recorder.js';
import type { Admission, AdmissionTicket } from './admission.js';

/** The error a canceled run is aborted with. */
export function canceledError(): WebTasksError {
  return new WebTasksError({
    code: 'canceled',
    message: 'The task was canceled before it finished. Nothing was saved.',
  });
}

/** Options of `createDeliveryRunner`. */
export interface DeliveryRunnerOptions {
  tasks: TaskStore;
  recorder: RunRecorder;
  logger: Logger;
  execute: (message: QueueMessage, delivery: DeliveryInfo, ticket?: AdmissionTicket) => Promise<void>;
  /** Keeps same-key deliveries in arrival order (a ticket is taken before any await). */
  admission?: Admission;
  /** How often a running task's record is read to notice a cancel made by another process. Default 1 s. */
  cancelPollMs?: number;
  /** Called when a delivery ends (recorded and settled), e.g. to send the webhook. */
  onSettled?: (message: QueueMessage) => Promise<void> | void;
}

/**
 * Wraps each queue delivery: the run recorder tracks the task, and the task can be canceled
 * (in this process at once, from another process within `cancelPollMs`). A canceled task's
 * delivery resolves, so the queue does not redeliver it.
 */
export function createDeliveryRunner(options: DeliveryRunnerOptions) {
  const running = new Map<string, AbortController>();
  const pollMs = options.cancelPollMs ?? 1000;

  async function handle(message: QueueMessage, delivery: DeliveryInfo): Promise<void> {
    const { workspaceId, webTaskId } = message;
    // Before any await: the delivery's place in line for its reuse key.
    const ticket = options.admission?.();
    const cancel = new AbortController();
    running.set(webTaskId, cancel);
    const poll = setInterval(() => {
      options.tasks
        .get({ workspaceId, webTaskId })
        .then((record) => {
          if (record?.status === 'completed' && record.error?.code === 'canceled' && !cancel.signal.aborted) {
            options.recorder.handle({ type: 'status', webTaskId, status: 'completed', outcome: 'failed' });
            cancel.abort(canceledError());
          }
        })
        .catch(() => undefined);
    }, pollMs);
    poll.unref?.();
    try {
      await options.recorder.begin(workspaceId, webTaskId);
      await options.execute(
        message,
        { ...delivery, signal: AbortSignal.any([delivery.signal, cancel.signal]) },
        ticket,
      );
    } catch (error) {
      if (!cancel.signal.aborted) throw error;
      options.logger.info('task canceled while running', { webTaskId });
    } finally {
      ticket?.release();
      clearInterval(poll);
      running.delete(webTaskId);
      await options.recorder.end(webTaskId);
    }
    await options.onSettled?.(message);
  }

  return {
    handle,
    /** Abort a task running in this process; false when it does not run here. */
    abort(webTaskId: string): boolean {
      const controller = running.get(webTaskId);
      if (!controller) return false;
      controller.abort(canceledError());
      return true;
    },
  };
}
