import { createTsMorphCompiler } from '@webtasks/codegen-ts';
import type { BundleAdmin, BundleSummary } from '@webtasks/core';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { type ParsedFlags, parseVersion } from '../flags.js';

/**
 * The ts-morph compiler of the bundle subcommands. It loads ts-morph only on its first compile
 * (import, or export of a version without stored JavaScript), and reports the version under
 * which imports store their compiled code.
 */
export const bundleCompiler = createTsMorphCompiler();

/** Versions as an aligned text table (with the reuse key column for listings). */
export function summaryTable(summaries: BundleSummary[], withKey: boolean): string {
  const head = [
    ...(withKey ? ['REUSE KEY'] : []),
    'VERSION',
    'ORIGIN',
    'STATUS',
    'FROM',
    'CREATED',
    'WEB TASK',
  ];
  const rows = [
    head,
    ...summaries.map((s) => [
      ...(withKey ? [s.reuseKey] : []),
      `v${s.version}`,
      s.origin,
      s.status ?? 'active',
      s.parentVersion ? `v${s.parentVersion}` : '-',
      s.createdAt,
      s.webTaskId ?? '-',
    ]),
  ];
  const widths = head.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return `${rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

/** What every `bundles` subcommand works with. */
export interface BundlesLocal {
  admin: BundleAdmin;
  workspaceId: string;
  dataDir: string;
  flags: ParsedFlags;
  json: boolean;
}

/** The reuse key positional, checked. */
export function requireKey(local: BundlesLocal, usage: string): string {
  const key = local.flags.positionals[0];
  if (!key) throw usageError(`Missing the reuse key: webtasks bundles ${usage}`, 'bundles');
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(key)) {
    throw usageError(
      `"${key}" is not a reuse key (1..128 letters, digits, ".", "_", ":" or "-").`,
      'bundles',
    );
  }
  return key;
}

/** The not-found error of a reuse key, or of one version of it. */
export function notFound(local: BundlesLocal, reuseKey: string, version?: number): CliError {
  return new CliError(
    version === undefined
      ? `No bundle "${reuseKey}" in workspace "${local.workspaceId}" of ${local.dataDir}. List them with \`webtasks bundles list\`.`
      : `Bundle "${reuseKey}" has no version ${version}. List versions with \`webtasks bundles history ${reuseKey}\`.`,
    EXIT.notFound,
  );
}

/** `--version N`, when given. */
export function optionalVersion(local: BundlesLocal): number | undefined {
  const value = local.flags.string('version');
  return value === undefined ? undefined : parseVersion(value, '--version', 'bundles');
}
