import type { BundleKeySettings, PromotionPolicy } from '@webtasks/core';
import { type CliContext, printJson } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { parseVersion } from '../flags.js';
import { type BundlesLocal as Local, requireKey } from './bundle-helpers.js';

// `webtasks bundles policy|pin|unpin|approve|reject`: how new versions of a key go live.

function describeSettings(reuseKey: string, settings: BundleKeySettings): string {
  return `${reuseKey}: promotion policy ${settings.promotion}${settings.pinnedVersion ? `, pinned to v${settings.pinnedVersion}` : ', not pinned'}`;
}

export async function policy(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'policy KEY auto|review|off');
  const value = local.flags.positionals[1];
  const settings =
    value === undefined
      ? await local.admin.settings({ workspaceId: local.workspaceId, reuseKey })
      : await local.admin.setPolicy({
          workspaceId: local.workspaceId,
          reuseKey,
          policy: value as PromotionPolicy,
        });
  if (local.json) printJson(ctx, { reuseKey, ...settings });
  else ctx.stdout.write(`${describeSettings(reuseKey, settings)}\n`);
  return EXIT.ok;
}

export async function pin(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'pin KEY VERSION');
  const version = parseVersion(local.flags.positionals[1], 'VERSION', 'bundles');
  const settings = await local.admin.pin({ workspaceId: local.workspaceId, reuseKey, version });
  if (local.json) printJson(ctx, { reuseKey, ...settings });
  else
    ctx.stdout.write(`${reuseKey}: runs use v${version} whatever is saved later (and it is not repaired)\n`);
  return EXIT.ok;
}

export async function unpin(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'unpin KEY');
  const settings = await local.admin.unpin({ workspaceId: local.workspaceId, reuseKey });
  if (local.json) printJson(ctx, { reuseKey, ...settings });
  else ctx.stdout.write(`${describeSettings(reuseKey, settings)}\n`);
  return EXIT.ok;
}

export async function decide(local: Local, ctx: CliContext, decision: 'approve' | 'reject'): Promise<number> {
  const reuseKey = requireKey(local, `${decision} KEY VERSION`);
  const version = parseVersion(local.flags.positionals[1], 'VERSION', 'bundles');
  const bundle = await local.admin[decision]({ workspaceId: local.workspaceId, reuseKey, version });
  if (local.json) printJson(ctx, { reuseKey, version, status: bundle.status });
  else
    ctx.stdout.write(
      decision === 'approve'
        ? `${reuseKey} v${version} approved: runs use it when it is the newest active version\n`
        : `${reuseKey} v${version} rejected: runs never use it\n`,
    );
  return EXIT.ok;
}
