// The address policy lives in @webtasks/core since the engine checks webhook URLs with it;
// it stays exported here for code that imported it from this package.
export {
  classifyAddress,
  createEgressGuard,
  type DenialKind,
  type DestinationVerdict,
  type EgressGuard,
  type EgressVerdict,
  type HostLookup,
  type PrivateRangeKind,
} from '@webtasks/core';
export type { EgressDenial } from './egress/egress-denial.js';
export { type EgressProxy, type EgressProxyOptions, startEgressProxy } from './egress/egress-proxy.js';
export { maskProxy } from './egress/upstream-proxy.js';
export { DEFAULT_LAUNCH_ARGS, type PlaywrightBrowserProviderOptions } from './options.js';
export { createPlaywrightBrowserProvider, type PlaywrightBrowserProvider } from './provider.js';
export { type AriaNode, type RenderOptions, renderSnapshot } from './render-snapshot.js';
export { PlaywrightBrowserSession } from './session.js';
