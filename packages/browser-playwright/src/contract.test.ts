import { describeBrowserProviderContract } from '@webtasks/test-suite';
import { createPlaywrightBrowserProvider } from './index.js';

describeBrowserProviderContract({
  name: 'playwright (Chromium)',
  create: () => createPlaywrightBrowserProvider(),
});
