import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeSecretStoreContract } from '@webtasks/test-suite';
import { createFsSecretStore } from './fs-secret-store.js';

const directories: string[] = [];

describeSecretStoreContract({
  name: 'fs',
  create: async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'webtasks-secrets-'));
    directories.push(directory);
    return createFsSecretStore({ directory });
  },
  cleanup: async () => {
    for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
  },
});
