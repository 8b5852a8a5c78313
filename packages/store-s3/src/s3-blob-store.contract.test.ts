import { describeBlobStoreContract } from '@webtasks/test-suite';
import { afterAll, beforeAll } from 'vitest';
import { s3Connection, startTestS3Server, type TestS3Server } from './__fixtures__/s3-server.js';
import { createS3BlobStore } from './s3-blob-store.js';

let server: TestS3Server;

beforeAll(async () => {
  server = await startTestS3Server(['contract']);
});

afterAll(async () => {
  await server?.close();
});

describeBlobStoreContract({
  name: 's3',
  create: () => createS3BlobStore({ ...s3Connection(server), bucket: 'contract', prefix: 'suite/' }),
});
