import { describeBundleStoreContract } from '@webtasks/test-suite';
import { createMemoryBundleStore } from './memory-bundle-store.js';

describeBundleStoreContract({ name: 'memory', create: () => createMemoryBundleStore() });
