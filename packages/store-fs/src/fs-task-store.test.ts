import { describeTaskStoreContract } from '@webtasks/test-suite';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { createFsTaskStore } from './fs-task-store.js';

const directory = useTempDirectory('tasks');
describeTaskStoreContract({ name: 'store-fs', create: () => createFsTaskStore({ directory }) });
