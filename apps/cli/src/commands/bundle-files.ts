// `webtasks bundles import` and `export`: a bundle from a TypeScript file, and back out as a
// standalone script.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type Bundle,
  bundleParameters,
  describeParameters,
  type ImportedBundle,
  paramsArgument,
  STANDALONE_INSTALL,
  WebTasksError,
} from '@webtasks/core';
import { type CliContext, printJson } from '../context.js';
import { createEmbeddedEngine, loadEmbeddedConfig } from '../embedded.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { parseParameters, readInputFile, readSchema } from '../flags.js';
import { type BundlesLocal, notFound, optionalVersion, requireKey } from './bundle-helpers.js';

/** `bundles import KEY FILE.ts --schema FILE.json`: compile, verify (unless told not to) and save. */
export async function importBundle(local: BundlesLocal, ctx: CliContext): Promise<number> {
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
  const paramsSchemaFlag = local.flags.string('params-schema');
  const paramsSchema =
    paramsSchemaFlag === undefined ? undefined : readSchema(paramsSchemaFlag, ctx.cwd, '--params-schema');
  const task = local.flags.string('task');
  const startUrl = local.flags.string('start-url');
  const parameters = parseParameters(local.flags.string('params'), local.flags.list('param'));
  const sideEffects = local.flags.boolean('side-effects');
  const verify = !local.flags.boolean('no-verify') && !sideEffects;
  const remote = local.flags.string('base-url') !== undefined;
  // Verifying runs the bundle: here that needs the embedded engine (Chromium, isolates); a
  // server (--base-url) runs it itself, under its own egress policy. The local subcommands
  // work on the data dir's files, so the verifying engine does too.
  const embedded =
    verify && !remote
      ? await createEmbeddedEngine({
          config: {
            ...(await loadEmbeddedConfig({
              env: ctx.env,
              cwd: ctx.cwd,
              flags: { dataDir: local.dataDir, allowHosts: local.flags.list('allow-host') },
              stderr: ctx.stderr,
            })),
            store: { kind: 'fs' },
            blobs: { kind: 'fs' },
            locks: { kind: 'memory' },
            queue: { kind: 'memory' },
          },
          model: false,
        })
      : undefined;
  const admin = embedded?.engine.bundles ?? local.admin;
  if (verify)
    ctx.stderr.write(
      `verifying: running ${path.basename(file)} once${remote ? ' on the server' : ''}${parameters ? ` with ${JSON.stringify(parameters)}` : ''}…\n`,
    );
  let saved: ImportedBundle;
  try {
    saved = await admin.import({
      workspaceId: local.workspaceId,
      reuseKey,
      source,
      outputSchema,
      ...(paramsSchema !== undefined ? { paramsSchema } : {}),
      ...(parameters ? { parameters } : {}),
      verify,
      ...(sideEffects ? { sideEffects } : {}),
      ...(task ? { task } : {}),
      ...(startUrl ? { startUrl } : {}),
    });
  } catch (error) {
    if (WebTasksError.hasCode(error, 'invalid-request')) throw refusal(error, file);
    throw error;
  } finally {
    await embedded?.close();
  }
  const { verification } = saved;
  if (local.json) printJson(ctx, { reuseKey, version: saved.version, origin: saved.origin, verification });
  else {
    const how = verification.verified
      ? `verified: ${verification.rowCount === undefined ? 'valid output' : `${verification.rowCount} rows`}`
      : `not verified: ${verification.reason}`;
    ctx.stdout.write(`imported ${path.basename(file)} as ${reuseKey} v${saved.version} (${how})\n`);
  }
  return EXIT.ok;
}

/** A refused import, with `file:line:column` diagnostics when the source did not compile. */
function refusal(error: WebTasksError, file: string): CliError {
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

/** `bundles export KEY [--version N] [--out FILE]`: the version as a standalone Playwright script. */
export async function exportBundle(local: BundlesLocal, ctx: CliContext): Promise<number> {
  const reuseKey = requireKey(local, 'export KEY [--version N] [--out FILE]');
  const version = optionalVersion(local);
  let exported: { bundle: Bundle; script: string };
  try {
    exported = await local.admin.exportScript({
      workspaceId: local.workspaceId,
      reuseKey,
      ...(version ? { version } : {}),
    });
  } catch (error) {
    if (WebTasksError.hasCode(error, 'not-found')) throw notFound(local, reuseKey, version);
    if (WebTasksError.hasCode(error, 'invalid-request')) throw new CliError(error.message, EXIT.failed);
    throw error;
  }
  const { bundle, script } = exported;
  const parameters = bundleParameters(bundle);
  const out = local.flags.string('out');
  // How to run it goes to stderr, so that `bundles export KEY > script.mjs` keeps a clean script.
  const howTo = (file: string) =>
    [
      `install: ${STANDALONE_INSTALL}   (in the script's folder; Chromium: CHROMIUM_PATH, /usr/bin/chromium, or npx playwright-core install chromium)`,
      parameters.length === 0
        ? 'parameters: the code reads none'
        : `parameters the code reads:\n${describeParameters(parameters)
            .map((line) => `  ${line}`)
            .join('\n')}`,
      `run: node ${file}${paramsArgument(parameters)}`,
    ].join('\n');
  if (!out) {
    ctx.stdout.write(script);
    if (!local.json) ctx.stderr.write(`${howTo(`${reuseKey}.mjs`)}\n`);
    return EXIT.ok;
  }
  const target = path.resolve(ctx.cwd, out);
  writeFileSync(target, script, { mode: 0o755 });
  if (local.json)
    printJson(ctx, {
      reuseKey,
      version: bundle.version,
      file: target,
      install: STANDALONE_INSTALL,
      parameters,
    });
  else ctx.stderr.write(`wrote ${target} (${reuseKey} v${bundle.version})\n${howTo(out)}\n`);
  return EXIT.ok;
}
