import { describeBundleStoreContract } from '@webtasks/test-suite';
import { useTempDirectory } from './__fixtures__/temp-directory.js';
import { createFsBundleStore } from './fs-bundle-store.js';

const directory = useTempDirectory('bundles');
describeBundleStoreContract({ name: 'store-fs', create: () => createFsBundleStore({ directory }) });
