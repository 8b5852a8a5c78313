import type { CallOptions } from './common.js';

/** What travels through the queue: a pointer to a task record. */
export interface QueueMessage {
  workspaceId: string;
  webTaskId: string;
}

/** Information about one delivery. */
export interface DeliveryInfo {
  /** 1 for the first delivery, 2+ for redeliveries. */
  attempt: number;
  /** Fires when the consumer is stopping or the delivery was taken away. */
  signal: AbortSignal;
}

/** Processes one message. Resolving acknowledges it; rejecting makes it eligible for redelivery. */
export type QueueHandler = (message: QueueMessage, delivery: DeliveryInfo) => Promise<void>;

/** A running consumer. */
export interface QueueConsumer {
  /**
   * Stop taking messages. `graceful` (default true) waits for running handlers; otherwise
   * their deliveries are handed back to the queue.
   */
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

/** What a queue guarantees. */
export interface TaskQueueCapabilities {
  /** Messages survive the process and are shared between processes. */
  distributed: boolean;
}

/**
 * At-least-once delivery of task ids to consumers. A message whose consumer dies or whose
 * handler rejects is delivered again (up to the adapter's attempt limit); a message is
 * never handled by two consumers at the same time.
 */
export interface TaskQueue {
  readonly specificationVersion: 'v1';
  readonly capabilities: TaskQueueCapabilities;
  /**
   * Add a message. Adding a message for a task that is already waiting, scheduled for a retry
   * or being handled is a no-op.
   */
  enqueue(options: { message: QueueMessage } & CallOptions): Promise<void>;
  /**
   * Make sure the task has a live entry: one waiting, scheduled for a retry or being handled
   * (also by a consumer that died and whose entry the queue will hand out again). If there is
   * none (the queue lost it, or gave it up), add it. Resolves true when it added one. The
   * engine's reconciler calls it for tasks the store says are unfinished. Optional: without
   * it, no reconciliation happens.
   */
  ensureQueued?(options: { message: QueueMessage } & CallOptions): Promise<boolean>;
  /** Start handling messages with at most `concurrency` handlers at once. */
  consume(options: { handler: QueueHandler; concurrency: number }): Promise<QueueConsumer>;
  /** Stop consumers and release connections. Idempotent: a second call resolves without doing anything. */
  close(options?: CallOptions): Promise<void>;
}
