import { describeTaskQueueContract } from '@webtasks/test-suite';
import { createMemoryTaskQueue } from './memory-task-queue.js';

describeTaskQueueContract({ name: 'memory', create: () => createMemoryTaskQueue() });
