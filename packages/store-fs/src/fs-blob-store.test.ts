import { describeBlobStoreContract } from '@webtasks/test-suite';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { createFsBlobStore } from './fs-blob-store.js';

const directory = useTempDirectory('blobs');
describeBlobStoreContract({
  name: 'store-fs',
  create: () =>
    createFsBlobStore({
      directory,
      baseUrl: 'http://127.0.0.1:3000',
      secret: 'contract-suite-secret-0123456789',
    }),
});
