export {
  createEgressGuard,
  type EgressGuard,
  type EgressVerdict,
  type HostLookup,
} from './egress/egress-guard.js';
export type { EgressDenial } from './egress/egress-routing.js';
export { classifyAddress, type PrivateRangeKind } from './egress/ip-ranges.js';
export { DEFAULT_LAUNCH_ARGS, type PlaywrightBrowserProviderOptions } from './options.js';
export { createPlaywrightBrowserProvider, type PlaywrightBrowserProvider } from './provider.js';
export { type AriaNode, type RenderOptions, renderSnapshot } from './render-snapshot.js';
export { PlaywrightBrowserSession } from './session.js';
