import { checkJsonSchema } from '@webtasks/protocol';
import type { BundleAdmin } from '../engine-api.js';
import { WebtasksError } from '../errors.js';
import type { BundleStore } from '../ports/bundle-store.js';
import type { JsonSchema } from '../ports/common.js';
import type { CodeCompiler } from '../ports/compiler.js';
import { unifiedDiff } from './diff.js';

function notFound(reuseKey: string, version?: number): WebtasksError {
  return new WebtasksError({
    code: 'not-found',
    message:
      version === undefined
        ? `No bundle is saved under reuse key "${reuseKey}" in this workspace.`
        : `Reuse key "${reuseKey}" has no version ${version}. List versions with \`webtasks bundles history ${reuseKey}\`.`,
  });
}

/** Bundle management on top of the BundleStore primitives. */
export function createBundleAdmin(deps: { bundles: BundleStore; compiler: CodeCompiler }): BundleAdmin {
  const { bundles } = deps;
  return {
    list: (options) => bundles.list(options),
    async get({ workspaceId, reuseKey, version, signal }) {
      const opts = signal ? { signal } : {};
      return version === undefined
        ? bundles.latest({ workspaceId, reuseKey, ...opts })
        : bundles.get({ workspaceId, reuseKey, version, ...opts });
    },
    history: (options) => bundles.history(options),
    async diff({ workspaceId, reuseKey, from, to, signal }) {
      const opts = signal ? { signal } : {};
      const [a, b] = await Promise.all([
        bundles.get({ workspaceId, reuseKey, version: from, ...opts }),
        bundles.get({ workspaceId, reuseKey, version: to, ...opts }),
      ]);
      if (!a) throw notFound(reuseKey, from);
      if (!b) throw notFound(reuseKey, to);
      const schemaNote =
        JSON.stringify(a.outputSchema) === JSON.stringify(b.outputSchema)
          ? ''
          : '\n(the output schema changed too)\n';
      return (
        unifiedDiff(a.source, b.source, { fromLabel: `${reuseKey}@${from}`, toLabel: `${reuseKey}@${to}` }) +
        schemaNote
      );
    },
    async rollback({ workspaceId, reuseKey, version, signal }) {
      const opts = signal ? { signal } : {};
      const target = await bundles.get({ workspaceId, reuseKey, version, ...opts });
      if (!target) throw notFound(reuseKey, version);
      const latest = await bundles.latest({ workspaceId, reuseKey, ...opts });
      return bundles.save({
        bundle: {
          workspaceId,
          reuseKey,
          source: target.source,
          outputSchema: target.outputSchema,
          origin: 'rollback',
          task: target.task,
          ...(target.startUrl ? { startUrl: target.startUrl } : {}),
          parentVersion: version,
        },
        expectedVersion: latest?.version ?? 0,
        ...opts,
      });
    },
    async import({ workspaceId, reuseKey, source, outputSchema, task, startUrl, signal }) {
      const opts = signal ? { signal } : {};
      const schemaCheck = checkJsonSchema(outputSchema);
      if (!schemaCheck.ok) {
        throw new WebtasksError({
          code: 'invalid-request',
          message: `The output schema is not a valid JSON Schema 2020-12: ${schemaCheck.message}`,
        });
      }
      const compiled = await deps.compiler.compile({ source, ...opts });
      if (!compiled.ok) {
        const lines = compiled.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => `  ${d.line}:${d.column} ${d.code} ${d.message}`);
        throw new WebtasksError({
          code: 'invalid-request',
          message: `The bundle does not compile; fix these and import again:\n${lines.join('\n')}`,
          details: compiled.diagnostics,
        });
      }
      const latest = await bundles.latest({ workspaceId, reuseKey, ...opts });
      return bundles.save({
        bundle: {
          workspaceId,
          reuseKey,
          source,
          outputSchema: outputSchema as JsonSchema,
          origin: 'import',
          task: task ?? latest?.task ?? '(imported)',
          ...((startUrl ?? latest?.startUrl) ? { startUrl: startUrl ?? latest?.startUrl } : {}),
          ...(latest ? { parentVersion: latest.version } : {}),
        },
        expectedVersion: latest?.version ?? 0,
        ...opts,
      });
    },
    delete: (options) => bundles.delete(options),
  };
}
