import type { BundleSettingsWire, BundleSummaryWire, BundleWire } from '@webtasks/protocol';
import { api, type Session } from './api.js';
import { h, notice } from './dom.js';

/**
 * The version runs use: the pinned one, else the newest that is neither proposed nor
 * rejected (the engine's rule, docs/promotion.md).
 */
export function liveVersion(versions: BundleSummaryWire[], settings: BundleSettingsWire): number | undefined {
  if (settings.pinnedVersion !== undefined) return settings.pinnedVersion;
  return versions
    .filter((version) => version.status !== 'proposed' && version.status !== 'rejected')
    .reduce<number | undefined>((best, version) => Math.max(best ?? 0, version.version), undefined);
}

/** The versions waiting for review, newest first. */
export function proposedVersions(versions: BundleSummaryWire[]): number[] {
  return versions
    .filter((version) => version.status === 'proposed')
    .map((version) => version.version)
    .sort((a, b) => b - a);
}

/** What runs use and under which policy, with a notice when versions wait for review. */
export function reviewSummary(
  versions: BundleSummaryWire[],
  settings: BundleSettingsWire,
): (HTMLElement | null)[] {
  const live = liveVersion(versions, settings);
  const waiting = proposedVersions(versions);
  return [
    h(
      'p',
      { class: 'muted', id: 'live-version' },
      live === undefined ? 'No version runs: every version is rejected.' : `Runs use v${live}`,
      settings.pinnedVersion !== undefined ? ' (pinned)' : '',
      ` · promotion policy: ${settings.promotion}`,
    ),
    waiting.length > 0
      ? notice(
          'info',
          `${waiting.map((version) => `v${version}`).join(', ')} ${waiting.length === 1 ? 'is' : 'are'} waiting for review: runs keep using ${live === undefined ? 'no version' : `v${live}`} until one is approved.`,
        )
      : null,
  ];
}

/** The review tag of a version in the history table. */
export function statusTag(version: BundleSummaryWire): HTMLElement | null {
  if (version.status === 'proposed') return h('span', { class: 'tag tag-proposed' }, 'awaiting review');
  if (version.status === 'rejected') return h('span', { class: 'tag tag-rejected' }, 'rejected');
  return null;
}

/** Approve or reject a proposed version; resolves with the version as saved. */
export function decide(
  session: Session,
  reuseKey: string,
  version: number,
  decision: 'approve' | 'reject',
  signal: AbortSignal,
): Promise<BundleWire> {
  return api<BundleWire>(session, 'POST', `/bundles/${encodeURIComponent(reuseKey)}/${decision}`, {
    body: { version },
    signal,
  });
}

/** Approve and Reject buttons of a proposed version; `act` sends the decision. */
export function reviewButtons(
  version: BundleSummaryWire,
  act: (decision: 'approve' | 'reject') => Promise<void>,
): HTMLElement[] {
  if (version.status !== 'proposed') return [];
  const button = (decision: 'approve' | 'reject', label: string, style: string) =>
    h(
      'button',
      {
        type: 'button',
        class: `button small ${style}`,
        onclick: async (event: Event) => {
          const row = (event.currentTarget as HTMLElement).closest('td');
          for (const other of row?.querySelectorAll('button') ?? []) other.disabled = true;
          await act(decision);
        },
      },
      `${label} v${version.version}`,
    );
  return [button('approve', 'Approve', 'primary'), button('reject', 'Reject', 'danger-outline')];
}
