import { describeLockManagerContract } from '@webtasks/test-suite';
import { createMemoryLockManager } from './memory-lock-manager.js';

describeLockManagerContract({ name: 'memory', create: () => createMemoryLockManager() });
