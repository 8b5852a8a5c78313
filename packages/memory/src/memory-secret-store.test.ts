import { describeSecretStoreContract } from '@webtasks/test-suite';
import { createMemorySecretStore } from './memory-secret-store.js';

describeSecretStoreContract({ name: 'memory', create: () => createMemorySecretStore() });
