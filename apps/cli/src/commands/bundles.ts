import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Bundle, createBundleAdmin, WebTasksError } from '@webtasks/core';
import { createFsBundleStore } from '@webtasks/store-fs';
import { type CliContext, printJson } from '../context.js';
import { resolveDataDir } from '../embedded.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { type FlagSpec, parseFlags, parseVersion } from '../flags.js';
import { BUNDLES_HELP } from '../help.js';
import { exportBundle, importBundle } from './bundle-files.js';
import {
  type BundlesLocal,
  bundleCompiler,
  notFound,
  optionalVersion,
  requireKey,
  summaryTable,
} from './bundle-helpers.js';
import { decide, pin, policy, unpin } from './bundle-review.js';
import { remoteBundleAdmin } from './remote-bundle-admin.js';
import { serverClient } from './server-client.js';

const LOCAL_FLAGS = {
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
} as const satisfies FlagSpec;

type Local = BundlesLocal;

type Subcommand = (local: Local, ctx: CliContext) => Promise<number>;

const SUBCOMMANDS: Record<string, { flags: FlagSpec; positionals: number; run: Subcommand }> = {
  list: { flags: { prefix: { type: 'string' } }, positionals: 0, run: list },
  show: { flags: { version: { type: 'string' } }, positionals: 1, run: show },
  history: { flags: {}, positionals: 1, run: history },
  diff: { flags: {}, positionals: 3, run: diff },
  rollback: { flags: {}, positionals: 2, run: rollback },
  import: {
    flags: {
      schema: { type: 'string' },
      'params-schema': { type: 'string' },
      params: { type: 'string' },
      param: { type: 'string', multiple: true },
      'allow-host': { type: 'string', multiple: true },
      'no-verify': { type: 'boolean' },
      'side-effects': { type: 'boolean' },
      task: { type: 'string' },
      'start-url': { type: 'string' },
    },
    positionals: 2,
    run: importBundle,
  },
  export: {
    flags: { version: { type: 'string' }, out: { type: 'string' } },
    positionals: 1,
    run: exportBundle,
  },
  delete: { flags: { yes: { type: 'boolean', short: 'y' } }, positionals: 1, run: deleteBundle },
  types: { flags: { out: { type: 'string' } }, positionals: 0, run: writeTypes },
  policy: { flags: {}, positionals: 2, run: policy },
  pin: { flags: {}, positionals: 2, run: pin },
  unpin: { flags: {}, positionals: 1, run: unpin },
  approve: { flags: {}, positionals: 2, run: (local, ctx) => decide(local, ctx, 'approve') },
  reject: { flags: {}, positionals: 2, run: (local, ctx) => decide(local, ctx, 'reject') },
};

/** The file `bundles types` writes: an editor resolves `'webtasks:runtime'` through it. */
export const RUNTIME_TYPES_FILE = 'webtasks-runtime.d.ts';

/**
 * `bundles types [--out DIR]`: the runtime declaration as a .d.ts in DIR (default: the working
 * directory), so `import type { TaskContext } from 'webtasks:runtime'` resolves in an editor.
 */
async function writeTypes(local: Local, ctx: CliContext): Promise<number> {
  const { RUNTIME_DECLARATIONS } = await import('@webtasks/core');
  const dir = path.resolve(ctx.cwd, local.flags.string('out') ?? '.');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, RUNTIME_TYPES_FILE);
  writeFileSync(file, RUNTIME_DECLARATIONS);
  if (local.json) printJson(ctx, { file });
  else {
    ctx.stdout.write(
      `wrote ${path.relative(ctx.cwd, file) || file}: keep it beside your bundles (or list it in tsconfig "include") and \`import type { TaskContext } from 'webtasks:runtime'\` resolves.\n`,
    );
  }
  return EXIT.ok;
}

/** `webtasks bundles <subcommand> …` on the local data dir. */
export async function bundlesCommand(args: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(`${BUNDLES_HELP}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) {
    throw usageError(
      `Unknown bundles subcommand "${name}"; use one of ${Object.keys(SUBCOMMANDS).join(', ')}.`,
      'bundles',
    );
  }
  const flags = parseFlags(rest, { ...LOCAL_FLAGS, ...subcommand.flags }, 'bundles', {
    max: subcommand.positionals,
  });
  if (flags.boolean('help')) {
    ctx.stdout.write(`${BUNDLES_HELP}\n`);
    return EXIT.ok;
  }
  const remote = flags.string('base-url') !== undefined;
  const dataDir = remote
    ? (flags.string('base-url') as string)
    : resolveDataDir(flags.string('data-dir'), ctx.env, ctx.cwd);
  const admin = remote
    ? remoteBundleAdmin(await serverClient(flags, ctx, 'bundles'))
    : createBundleAdmin({ bundles: createFsBundleStore({ directory: dataDir }), compiler: bundleCompiler });
  const local: Local = {
    admin,
    workspaceId: flags.string('workspace') ?? (remote ? (ctx.env.WEBTASKS_WORKSPACE_ID ?? '') : 'local'),
    dataDir,
    flags,
    json: flags.boolean('json'),
  };
  try {
    return await subcommand.run(local, ctx);
  } catch (error) {
    if (WebTasksError.hasCode(error, 'not-found')) throw new CliError(error.message, EXIT.notFound);
    if (WebTasksError.hasCode(error, 'invalid-request') && name !== 'import')
      throw new CliError(`Refused: ${error.message}`, EXIT.failed);
    const { clientFailure } = await import('./remote.js');
    throw clientFailure(error) ?? error;
  }
}

async function list(local: Local, ctx: CliContext): Promise<number> {
  const prefix = local.flags.string('prefix');
  const summaries = await local.admin.list({ workspaceId: local.workspaceId, ...(prefix ? { prefix } : {}) });
  if (local.json) printJson(ctx, summaries);
  else if (summaries.length === 0)
    ctx.stderr.write(`No bundles in workspace "${local.workspaceId}" of ${local.dataDir}.\n`);
  else ctx.stdout.write(summaryTable(summaries, true));
  return EXIT.ok;
}

async function getBundle(local: Local, reuseKey: string, version?: number): Promise<Bundle> {
  const bundle = await local.admin.get({
    workspaceId: local.workspaceId,
    reuseKey,
    ...(version ? { version } : {}),
  });
  if (!bundle) throw notFound(local, reuseKey, version);
  return bundle;
}

async function show(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'show KEY [--version N]');
  const bundle = await getBundle(local, reuseKey, optionalVersion(local));
  const settings = await local.admin.settings({ workspaceId: local.workspaceId, reuseKey });
  if (local.json) {
    printJson(ctx, { ...bundle, settings });
    return EXIT.ok;
  }
  const lines = [
    `# ${bundle.reuseKey} v${bundle.version} (${bundle.origin}${bundle.parentVersion ? ` from v${bundle.parentVersion}` : ''}, ${bundle.createdAt})`,
    `# task: ${bundle.task.replace(/\s+/g, ' ')}`,
    ...(bundle.startUrl ? [`# start URL: ${bundle.startUrl}`] : []),
    ...(bundle.stats ? [`# successful runs: ${bundle.stats.runs}`] : []),
    `# status: ${bundle.status ?? 'active'}; promotion policy: ${settings.promotion}${settings.pinnedVersion ? `; pinned to v${settings.pinnedVersion}` : ''}`,
    ...(bundle.sideEffects ? ['# side effects: yes (never replayed)'] : []),
    '',
    '## source',
    bundle.source.trimEnd(),
    '',
    '## output schema',
    JSON.stringify(bundle.outputSchema, null, 2),
    '',
    '## parameter schema',
    bundle.paramsSchema === undefined
      ? '(none: parameters are not checked before runs)'
      : JSON.stringify(bundle.paramsSchema, null, 2),
  ];
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

async function history(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'history KEY');
  const versions = await local.admin.history({ workspaceId: local.workspaceId, reuseKey });
  if (versions.length === 0) throw notFound(local, reuseKey);
  if (local.json) printJson(ctx, versions);
  else ctx.stdout.write(summaryTable(versions, false));
  return EXIT.ok;
}

async function diff(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'diff KEY FROM TO');
  const [, fromText, toText] = local.flags.positionals;
  const from = parseVersion(fromText, 'FROM', 'bundles');
  const to = parseVersion(toText, 'TO', 'bundles');
  const text = await local.admin.diff({ workspaceId: local.workspaceId, reuseKey, from, to });
  if (local.json) printJson(ctx, { reuseKey, from, to, diff: text });
  else ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return EXIT.ok;
}

async function rollback(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'rollback KEY VERSION');
  const version = parseVersion(local.flags.positionals[1], 'VERSION', 'bundles');
  const saved = await local.admin.rollback({ workspaceId: local.workspaceId, reuseKey, version });
  if (local.json)
    printJson(ctx, { reuseKey, version: saved.version, parentVersion: version, origin: saved.origin });
  else ctx.stdout.write(`${reuseKey}: v${saved.version} is now a copy of v${version}; later runs use it.\n`);
  return EXIT.ok;
}

async function deleteBundle(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'delete KEY --yes');
  if (!local.flags.boolean('yes')) {
    throw usageError(`Deleting removes every version of "${reuseKey}": pass --yes to confirm.`, 'bundles');
  }
  const deleted = await local.admin.delete({ workspaceId: local.workspaceId, reuseKey });
  if (!deleted) throw notFound(local, reuseKey);
  if (local.json) printJson(ctx, { reuseKey, deleted: true });
  else ctx.stdout.write(`deleted every version of ${reuseKey}\n`);
  return EXIT.ok;
}
