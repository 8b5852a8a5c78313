import type { ReuseState } from '../reuse/state-machine.js';
import type { LiveVersion } from './live-version.js';

/** The note of a run whose repair was saved for review. */
export function proposedNote(reuseKey: string, version: number, liveVersion: number | undefined): string {
  return `The repaired code was saved as v${version} for review (promotion policy "review"): later runs keep using ${liveVersion ? `v${liveVersion}` : 'the current version'} until \`webtasks bundles approve ${reuseKey} ${version}\` (or \`reject\`).`;
}

const NO_REPAIR = 'The saved code failed and repairs are disabled: ';

/** Say why a failing version was not repaired when the key's settings forbid it. */
export function explainNoRepair(
  state: ReuseState,
  reuseKey: string,
  head: LiveVersion | undefined,
): ReuseState {
  if (state.name !== 'failed' || !head || !state.message.startsWith(NO_REPAIR)) return state;
  const cause = state.message.slice(NO_REPAIR.length);
  const { settings } = head;
  const why =
    settings.pinnedVersion !== undefined
      ? `reuse key "${reuseKey}" is pinned to v${settings.pinnedVersion}, so it is not repaired. Run \`webtasks bundles unpin ${reuseKey}\` to allow repairs`
      : settings.promotion === 'off'
        ? `the promotion policy of reuse key "${reuseKey}" is "off", so it is not repaired. Run \`webtasks bundles policy ${reuseKey} auto\` (or review) to allow repairs`
        : undefined;
  if (!why) return state;
  return { ...state, message: `The saved code v${head.live?.version ?? '?'} failed: ${cause} ${why}.` };
}
