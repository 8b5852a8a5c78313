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
  /** Add a message. */
  enqueue(options: { message: QueueMessage } & CallOptions): Promise<void>;
  /** Start handling messages with at most `concurrency` handlers at once. */
  consume(options: { handler: QueueHandler; concurrency: number }): Promise<QueueConsumer>;
  /** Stop consumers and release connections. */
  close(): Promise<void>;
}
