import { describeTaskStoreContract } from '@webtasks/test-suite';
import { createMemoryTaskStore } from './memory-task-store.js';

describeTaskStoreContract({ name: 'memory', create: () => createMemoryTaskStore() });
