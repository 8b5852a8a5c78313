import { describeBlobStoreContract } from '@webtasks/test-suite';
import { createMemoryBlobStore } from './memory-blob-store.js';

describeBlobStoreContract({ name: 'memory', create: () => createMemoryBlobStore() });
