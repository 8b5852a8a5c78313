import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** A local S3 server (s3rver) on a random port with a temporary data directory. */
export interface TestS3Server {
  endpoint: string;
  close(): Promise<void>;
}

/** Start s3rver for one test file. Credentials it accepts: `S3RVER` / `S3RVER`. */
export async function startTestS3Server(buckets: string[] = []): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'webtasks-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Connection options for the test server. */
export function s3Connection(server: TestS3Server) {
  return {
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
  };
}
