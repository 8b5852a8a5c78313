import { describeSandboxContract } from '@webtasks/test-suite';
import { createIsolatedVmSandbox } from './index.js';

describeSandboxContract({ name: 'isolated-vm', create: () => createIsolatedVmSandbox({ workers: 2 }) });
