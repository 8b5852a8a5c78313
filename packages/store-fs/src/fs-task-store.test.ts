import { describeTaskStoreContract } from '@webtasks/test-suite';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { createFsTaskStore } from './fs-task-store.js';

const directory = useTempDirectory('tasks');
describeTaskStoreContract({
  name: 'store-fs',
  create: () => createFsTaskStore({ directory }),
  skip: [
    {
      reason:
        'a data dir serves one process: the engine keeps webhook attempts apart with its lock manager instead of claims in the store',
      tests: ['claimWebhook gives an owed, due webhook to one owner at a time until released or expired'],
    },
  ],
});
