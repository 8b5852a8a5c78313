import type { TaskEvent, TaskEventListener } from '../engine-api.js';
import type { Logger } from '../ports/clock.js';

/** In-process fan-out of task events. Listener errors never reach the engine. */
export interface EventHub {
  emit(event: TaskEvent): void;
  subscribe(listener: TaskEventListener, options?: { webTaskId?: string }): () => void;
}

export function createEventHub(logger: Logger): EventHub {
  const listeners = new Set<{ listener: TaskEventListener; webTaskId?: string }>();
  return {
    emit(event) {
      for (const entry of listeners) {
        if (entry.webTaskId && entry.webTaskId !== event.webTaskId) continue;
        try {
          entry.listener(event);
        } catch (error) {
          logger.warn('a task event listener threw', { error: String(error) });
        }
      }
    },
    subscribe(listener, options) {
      const entry = { listener, ...(options?.webTaskId ? { webTaskId: options.webTaskId } : {}) };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}
