import { WebTasksError } from '../errors.js';
import type { Bundle, BundleKey, BundleKeySettings, BundleStore } from '../ports/bundle-store.js';

/** What a run of a key starts from. */
export interface LiveVersion {
  /** The version runs use: the pinned one, else the newest active one. */
  live: Bundle | undefined;
  /** The newest version of any state: new saves compare-and-set against it. */
  headVersion: number;
  settings: BundleKeySettings;
}

const isActive = (status: Bundle['status']) => status === undefined || status === 'active';

/**
 * The version a run uses. A pinned version wins whatever was saved later; otherwise the
 * newest version that is not `proposed` (waiting for review) or `rejected`.
 */
export async function loadLiveVersion(
  bundles: BundleStore,
  key: BundleKey & { signal?: AbortSignal },
): Promise<LiveVersion> {
  const opts = key.signal ? { signal: key.signal } : {};
  const ref = { workspaceId: key.workspaceId, reuseKey: key.reuseKey, ...opts };
  const [settings, latest] = await Promise.all([bundles.getSettings(ref), bundles.latest(ref)]);
  const headVersion = latest?.version ?? 0;
  if (settings.pinnedVersion !== undefined) {
    const pinned =
      latest?.version === settings.pinnedVersion
        ? latest
        : await bundles.get({ ...ref, version: settings.pinnedVersion });
    if (!pinned) {
      throw new WebTasksError({
        code: 'not-found',
        message: `Reuse key "${key.reuseKey}" is pinned to version ${settings.pinnedVersion}, which does not exist: run \`webtasks bundles unpin ${key.reuseKey}\` or pin an existing version.`,
      });
    }
    return { live: pinned, headVersion, settings };
  }
  if (!latest || isActive(latest.status)) return { live: latest, headVersion, settings };
  for (const line of await bundles.history(ref)) {
    if (!isActive(line.status)) continue;
    return { live: await bundles.get({ ...ref, version: line.version }), headVersion, settings };
  }
  return { live: undefined, headVersion, settings };
}
