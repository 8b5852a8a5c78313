import {
  createAdapterError,
  type RunEventChannel,
  type RunEventListener,
  type RunEventTopic,
  throwIfAborted,
} from '@webtasks/core';

const ADAPTER = 'memory-run-event-channel';

/**
 * What channels of one process share: channels made with the same bus reach each other's
 * subscribers, like connections to one server. Each channel without one gets its own.
 */
export interface MemoryRunEventBus {
  /** Subscribers by topic key. */
  readonly subscribers: Map<string, Set<RunEventListener>>;
}

/** Options of `createMemoryRunEventChannel`. */
export interface MemoryRunEventChannelOptions {
  /** Share subscribers with other channels made with the same bus. */
  bus?: MemoryRunEventBus;
}

/** A bus for `createMemoryRunEventChannel({ bus })`. */
export function createMemoryRunEventBus(): MemoryRunEventBus {
  return { subscribers: new Map() };
}

const topicKey = (topic: RunEventTopic): string => `${topic.workspaceId}\u0000${topic.webTaskId}`;

/** A RunEventChannel within one process (tests, single-process deployments). */
export function createMemoryRunEventChannel(options: MemoryRunEventChannelOptions = {}): RunEventChannel {
  const bus = options.bus ?? createMemoryRunEventBus();
  /** This channel's own subscriptions, dropped by close(). */
  const own = new Set<() => void>();
  let closed = false;
  const ensureOpen = (what: string) => {
    if (closed)
      throw createAdapterError(ADAPTER, { code: 'aborted', message: `${what}: the channel is closed.` });
  };
  return {
    specificationVersion: 'v1',
    capabilities: { distributed: false },

    async publish({ workspaceId, webTaskId, entry, signal }) {
      throwIfAborted(signal, `[webtasks:${ADAPTER}] publish`);
      ensureOpen('publish');
      const listeners = bus.subscribers.get(topicKey({ workspaceId, webTaskId }));
      if (!listeners) return;
      // A copy per publish, as a network channel would deliver; each listener from its own
      // macrotask, in publish order (setImmediate runs callbacks first in, first out).
      const copy = structuredClone(entry);
      for (const listener of [...listeners]) {
        setImmediate(() => {
          if (!listeners.has(listener)) return;
          try {
            listener({ type: 'entry', entry: copy });
          } catch {
            // A subscriber's failure is its own: it must not reach the publisher or the others.
          }
        });
      }
    },

    async subscribe(topic, listener) {
      throwIfAborted(topic.signal, `[webtasks:${ADAPTER}] subscribe`);
      ensureOpen('subscribe');
      const key = topicKey(topic);
      let listeners = bus.subscribers.get(key);
      if (!listeners) {
        listeners = new Set();
        bus.subscribers.set(key, listeners);
      }
      // A Set holds a function once: wrap it, so one listener can subscribe twice.
      const wrapped: RunEventListener = (message) => listener(message);
      listeners.add(wrapped);
      const unsubscribe = () => {
        own.delete(unsubscribe);
        listeners.delete(wrapped);
        if (listeners.size === 0 && bus.subscribers.get(key) === listeners) bus.subscribers.delete(key);
      };
      own.add(unsubscribe);
      return unsubscribe;
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const unsubscribe of [...own]) unsubscribe();
    },
  };
}
