import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Bundle, type BundleAdmin, createBundleAdmin, WebtasksError } from '@webtasks/core';
import { createFsBundleStore } from '@webtasks/store-fs';
import { type CliContext, printJson } from '../context.js';
import { resolveDataDir } from '../embedded.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { renderStandaloneScript } from '../export/standalone-script.js';
import {
  type FlagSpec,
  type ParsedFlags,
  parseFlags,
  parseVersion,
  readInputFile,
  readSchema,
} from '../flags.js';
import { BUNDLES_HELP } from '../help.js';
import { lazyCompiler, summaryTable } from './bundle-helpers.js';

const LOCAL_FLAGS = {
  workspace: { type: 'string' },
  'data-dir': { type: 'string' },
} as const satisfies FlagSpec;

interface Local {
  admin: BundleAdmin;
  workspaceId: string;
  dataDir: string;
  flags: ParsedFlags;
  json: boolean;
}

type Subcommand = (local: Local, ctx: CliContext) => Promise<number>;

const SUBCOMMANDS: Record<string, { flags: FlagSpec; positionals: number; run: Subcommand }> = {
  list: { flags: { prefix: { type: 'string' } }, positionals: 0, run: list },
  show: { flags: { version: { type: 'string' } }, positionals: 1, run: show },
  history: { flags: {}, positionals: 1, run: history },
  diff: { flags: {}, positionals: 3, run: diff },
  rollback: { flags: {}, positionals: 2, run: rollback },
  import: {
    flags: { schema: { type: 'string' }, task: { type: 'string' }, 'start-url': { type: 'string' } },
    positionals: 2,
    run: importBundle,
  },
  export: {
    flags: { version: { type: 'string' }, out: { type: 'string' } },
    positionals: 1,
    run: exportBundle,
  },
  delete: { flags: { yes: { type: 'boolean', short: 'y' } }, positionals: 1, run: deleteBundle },
};

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
  const dataDir = resolveDataDir(flags.string('data-dir'), ctx.env, ctx.cwd);
  const admin = createBundleAdmin({
    bundles: createFsBundleStore({ directory: dataDir }),
    compiler: lazyCompiler,
  });
  const local: Local = {
    admin,
    workspaceId: flags.string('workspace') ?? 'local',
    dataDir,
    flags,
    json: flags.boolean('json'),
  };
  try {
    return await subcommand.run(local, ctx);
  } catch (error) {
    if (WebtasksError.hasCode(error, 'not-found')) throw new CliError(error.message, EXIT.notFound);
    throw error;
  }
}

function requireKey(local: Local, usage: string): string {
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

function notFound(local: Local, reuseKey: string, version?: number): CliError {
  return new CliError(
    version === undefined
      ? `No bundle "${reuseKey}" in workspace "${local.workspaceId}" of ${local.dataDir}. List them with \`webtasks bundles list\`.`
      : `Bundle "${reuseKey}" has no version ${version}. List versions with \`webtasks bundles history ${reuseKey}\`.`,
    EXIT.notFound,
  );
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

function optionalVersion(local: Local): number | undefined {
  const value = local.flags.string('version');
  return value === undefined ? undefined : parseVersion(value, '--version', 'bundles');
}

async function show(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'show KEY [--version N]');
  const bundle = await getBundle(local, reuseKey, optionalVersion(local));
  if (local.json) {
    printJson(ctx, bundle);
    return EXIT.ok;
  }
  const lines = [
    `# ${bundle.reuseKey} v${bundle.version} (${bundle.origin}${bundle.parentVersion ? ` from v${bundle.parentVersion}` : ''}, ${bundle.createdAt})`,
    `# task: ${bundle.task.replace(/\s+/g, ' ')}`,
    ...(bundle.startUrl ? [`# start URL: ${bundle.startUrl}`] : []),
    ...(bundle.stats ? [`# successful runs: ${bundle.stats.runs}`] : []),
    '',
    '## source',
    bundle.source.trimEnd(),
    '',
    '## output schema',
    JSON.stringify(bundle.outputSchema, null, 2),
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

async function importBundle(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'import KEY FILE.ts --schema FILE.json');
  const file = local.flags.positionals[1];
  if (!file)
    throw usageError(
      'Missing the source file: webtasks bundles import KEY FILE.ts --schema FILE.json',
      'bundles',
    );
  const schemaFlag = local.flags.string('schema');
  if (!schemaFlag) {
    throw usageError(
      'Missing --schema FILE.json: the JSON Schema every run of the bundle is checked against.',
      'bundles',
    );
  }
  const source = readInputFile(file, ctx.cwd, 'the bundle source');
  const outputSchema = readSchema(schemaFlag, ctx.cwd);
  const task = local.flags.string('task');
  const startUrl = local.flags.string('start-url');
  let saved: Bundle;
  try {
    saved = await local.admin.import({
      workspaceId: local.workspaceId,
      reuseKey,
      source,
      outputSchema,
      ...(task ? { task } : {}),
      ...(startUrl ? { startUrl } : {}),
    });
  } catch (error) {
    if (WebtasksError.hasCode(error, 'invalid-request')) throw refusal(error, file);
    throw error;
  }
  if (local.json) printJson(ctx, { reuseKey, version: saved.version, origin: saved.origin });
  else ctx.stdout.write(`imported ${path.basename(file)} as ${reuseKey} v${saved.version}\n`);
  return EXIT.ok;
}

/** A refused import, with `file:line:column` diagnostics when the source did not compile. */
function refusal(error: WebtasksError, file: string): CliError {
  const diagnostics = Array.isArray(error.details)
    ? (error.details as Array<{
        line: number;
        column: number;
        code: string;
        message: string;
        severity: string;
      }>)
    : undefined;
  if (!diagnostics) return new CliError(`Refused: ${error.message}`, EXIT.failed);
  const lines = diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${file}:${d.line}:${d.column} - error ${d.code}: ${d.message}`);
  return new CliError(
    `The bundle does not compile, so it was not imported:\n${lines.join('\n')}`,
    EXIT.failed,
  );
}

async function exportBundle(local: Local, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'export KEY [--version N] [--out FILE]');
  const bundle = await getBundle(local, reuseKey, optionalVersion(local));
  const compiled = await lazyCompiler.compile({ source: bundle.source });
  if (!compiled.ok) {
    const lines = compiled.diagnostics.map((d) => `  ${d.line}:${d.column} ${d.code} ${d.message}`);
    throw new CliError(
      `${reuseKey} v${bundle.version} no longer compiles:\n${lines.join('\n')}`,
      EXIT.failed,
    );
  }
  const script = renderStandaloneScript(bundle, compiled.javascript);
  const out = local.flags.string('out');
  if (!out) {
    ctx.stdout.write(script);
    return EXIT.ok;
  }
  const target = path.resolve(ctx.cwd, out);
  writeFileSync(target, script, { mode: 0o755 });
  if (local.json) printJson(ctx, { reuseKey, version: bundle.version, file: target });
  else ctx.stderr.write(`wrote ${target} (${reuseKey} v${bundle.version}); run it with: node ${out}\n`);
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
