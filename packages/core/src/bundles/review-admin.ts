import type { BundleAdmin } from '../engine-api.js';
import { WebTasksError } from '../errors.js';
import type { BundleStore, PromotionPolicy } from '../ports/bundle-store.js';

const POLICIES: readonly PromotionPolicy[] = ['auto', 'review', 'off'];

type ReviewAdmin = Pick<BundleAdmin, 'settings' | 'setPolicy' | 'pin' | 'unpin' | 'approve' | 'reject'>;

function missing(reuseKey: string, version: number): WebTasksError {
  return new WebTasksError({
    code: 'not-found',
    message: `Reuse key "${reuseKey}" has no version ${version}. List versions with \`webtasks bundles history ${reuseKey}\`.`,
  });
}

/** Promotion policy, pinning and review decisions on top of the BundleStore primitives. */
export function createReviewAdmin(bundles: BundleStore): ReviewAdmin {
  async function decide(
    options: { workspaceId: string; reuseKey: string; version: number; signal?: AbortSignal },
    status: 'active' | 'rejected',
  ) {
    const { workspaceId, reuseKey, version, signal } = options;
    const opts = signal ? { signal } : {};
    const bundle = await bundles.get({ workspaceId, reuseKey, version, ...opts });
    if (!bundle) throw missing(reuseKey, version);
    if (bundle.status !== 'proposed') {
      throw new WebTasksError({
        code: 'invalid-request',
        message: `${reuseKey} v${version} is ${bundle.status ?? 'active'}, not waiting for review: only proposed versions can be approved or rejected (see \`webtasks bundles history ${reuseKey}\`).`,
      });
    }
    await bundles.setStatus({ workspaceId, reuseKey, version, status, ...opts });
    return { ...bundle, status };
  }

  return {
    settings: ({ workspaceId, reuseKey, signal }) =>
      bundles.getSettings({ workspaceId, reuseKey, ...(signal ? { signal } : {}) }),
    async setPolicy({ workspaceId, reuseKey, policy, signal }) {
      if (!POLICIES.includes(policy)) {
        throw new WebTasksError({
          code: 'invalid-request',
          message: `The promotion policy must be one of ${POLICIES.join(', ')}, got ${JSON.stringify(policy)}.`,
        });
      }
      const opts = signal ? { signal } : {};
      const settings = {
        ...(await bundles.getSettings({ workspaceId, reuseKey, ...opts })),
        promotion: policy,
      };
      await bundles.saveSettings({ workspaceId, reuseKey, settings, ...opts });
      return settings;
    },
    async pin({ workspaceId, reuseKey, version, signal }) {
      const opts = signal ? { signal } : {};
      if (!(await bundles.get({ workspaceId, reuseKey, version, ...opts }))) throw missing(reuseKey, version);
      const settings = {
        ...(await bundles.getSettings({ workspaceId, reuseKey, ...opts })),
        pinnedVersion: version,
      };
      await bundles.saveSettings({ workspaceId, reuseKey, settings, ...opts });
      return settings;
    },
    async unpin({ workspaceId, reuseKey, signal }) {
      const opts = signal ? { signal } : {};
      const { pinnedVersion: _pinned, ...settings } = await bundles.getSettings({
        workspaceId,
        reuseKey,
        ...opts,
      });
      await bundles.saveSettings({ workspaceId, reuseKey, settings, ...opts });
      return settings;
    },
    approve: (options) => decide(options, 'active'),
    reject: (options) => decide(options, 'rejected'),
  };
}
