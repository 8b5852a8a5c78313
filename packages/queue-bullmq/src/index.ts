export {
  type BullMQTaskQueue,
  type BullMQTaskQueueOptions,
  createBullMQTaskQueue,
} from './bullmq-task-queue.js';
export type { BullMQConnectionOptions } from './connection.js';
