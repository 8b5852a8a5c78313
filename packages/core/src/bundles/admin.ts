import { checkJsonSchema } from '@webtasks/protocol';
import { systemClock } from '../defaults.js';
import { IMPORTED_TASK } from '../engine/compare-request.js';
import type { BundleAdmin } from '../engine-api.js';
import { WebTasksError } from '../errors.js';
import type { BundleStore } from '../ports/bundle-store.js';
import type { Clock } from '../ports/clock.js';
import type { JsonObject, JsonSchema, JsonValue } from '../ports/common.js';
import type { CodeCompiler } from '../ports/compiler.js';
import { auditHardCoding } from '../promotion/hard-coding-audit.js';
import {
  type BundleVerifier,
  carriedStats,
  type ImportVerification,
  verifyImport,
} from '../promotion/import-verify.js';
import { checkParamsSchema, parametersForBundle } from '../promotion/params-check.js';
import { recordRun } from '../promotion/run-samples.js';
import { compiledCodeFor, usableCompiled } from '../run/compiled-code.js';
import { createSecretRedactor } from '../secrets/redaction.js';
import { unifiedDiff } from './diff.js';
import { createReviewAdmin } from './review-admin.js';
import { renderStandaloneScript } from './standalone-script.js';

function notFound(reuseKey: string, version?: number): WebTasksError {
  return new WebTasksError({
    code: 'not-found',
    message:
      version === undefined
        ? `No bundle is saved under reuse key "${reuseKey}" in this workspace.`
        : `Reuse key "${reuseKey}" has no version ${version}. List versions with \`webtasks bundles history ${reuseKey}\`.`,
  });
}

/** Bundle management on top of the BundleStore primitives. */
export function createBundleAdmin(deps: {
  bundles: BundleStore;
  compiler: CodeCompiler;
  /** Runs an import once to verify it; without one, imports need `verify: false`. */
  verifier?: BundleVerifier;
  /** The workspace's secrets (name → value): an import containing a value is refused. */
  openSecrets?: (options: { workspaceId: string; signal?: AbortSignal }) => Promise<Record<string, string>>;
  /** Dates the statistics of a verified import. Default: the system clock. */
  clock?: Clock;
}): BundleAdmin {
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
      // The same code as `version`: it starts from that version's statistics and the key's
      // remembered parameters, so drift checks and replays keep working.
      const samples = latest?.stats?.samples ?? target.stats?.samples;
      const stats = target.stats
        ? { ...target.stats, ...(samples ? { samples } : {}) }
        : carriedStats(samples);
      return bundles.save({
        bundle: {
          workspaceId,
          reuseKey,
          source: target.source,
          outputSchema: target.outputSchema,
          ...(target.paramsSchema !== undefined ? { paramsSchema: target.paramsSchema } : {}),
          ...(target.sideEffects !== undefined ? { sideEffects: target.sideEffects } : {}),
          origin: 'rollback',
          task: target.task,
          ...(target.startUrl ? { startUrl: target.startUrl } : {}),
          parentVersion: version,
          // The same source: its stored JavaScript (if any) stays valid.
          ...(target.compiled ? { compiled: target.compiled } : {}),
          ...(stats ? { stats } : {}),
        },
        expectedVersion: latest?.version ?? 0,
        ...opts,
      });
    },
    async import({
      workspaceId,
      reuseKey,
      source,
      outputSchema,
      paramsSchema,
      parameters,
      verify,
      sideEffects,
      task,
      startUrl,
      signal,
    }) {
      const opts = signal ? { signal } : {};
      const schemaCheck = checkJsonSchema(outputSchema);
      if (!schemaCheck.ok) {
        throw new WebTasksError({
          code: 'invalid-request',
          message: `The output schema is not a valid JSON Schema 2020-12: ${schemaCheck.message}`,
        });
      }
      if (paramsSchema !== undefined) {
        const paramsCheck = checkParamsSchema(paramsSchema, 'The parameter schema (--params-schema)');
        if (!paramsCheck.ok)
          throw new WebTasksError({ code: 'invalid-request', message: paramsCheck.message });
      }
      const secrets = deps.openSecrets ? await deps.openSecrets({ workspaceId, ...opts }) : {};
      if (Object.keys(secrets).length > 0) {
        const audit = auditHardCoding({
          source,
          params: {},
          output: null,
          secrets: createSecretRedactor(secrets),
        });
        if (!audit.ok) throw new WebTasksError({ code: 'invalid-request', message: audit.message });
      }
      const compiled = await deps.compiler.compile({ source, ...opts });
      if (!compiled.ok) {
        const lines = compiled.diagnostics
          .filter((d) => d.severity === 'error')
          .map((d) => `  ${d.line}:${d.column} ${d.code} ${d.message}`);
        throw new WebTasksError({
          code: 'invalid-request',
          message: `The bundle does not compile; fix these and import again:\n${lines.join('\n')}`,
          details: compiled.diagnostics,
        });
      }
      let verification: ImportVerification;
      let verifiedOutput: JsonValue | undefined;
      let params: JsonObject = (parameters ?? {}) as JsonObject;
      if (verify === false)
        verification = { verified: false, reason: 'skipped (--no-verify): no baseline statistics' };
      else if (sideEffects)
        verification = { verified: false, reason: 'skipped: the bundle changes the site (sideEffects)' };
      else {
        // The verification run checks and completes its parameters as a real run would.
        params = parametersForBundle(
          {
            reuseKey,
            version: 0,
            ...(paramsSchema !== undefined ? { paramsSchema: paramsSchema as JsonSchema } : {}),
          },
          params,
        );
        const run = await verifyImport({
          verifier: deps.verifier,
          workspaceId,
          reuseKey,
          source,
          outputSchema: outputSchema as JsonSchema,
          params,
          ...opts,
        });
        verifiedOutput = run.output;
        verification = {
          verified: true,
          params,
          ...(run.rowCount !== undefined ? { rowCount: run.rowCount } : {}),
        };
      }
      const latest = await bundles.latest({ workspaceId, reuseKey, ...opts });
      const stored = compiledCodeFor(source, compiled.javascript, deps.compiler);
      const stats =
        verifiedOutput !== undefined
          ? recordRun({
              stats: undefined,
              output: verifiedOutput,
              params,
              at: new Date((deps.clock ?? systemClock).now()).toISOString(),
              ...(sideEffects ? { sideEffects } : {}),
              ...(latest?.stats?.samples ? { carried: latest.stats.samples } : {}),
            })
          : sideEffects
            ? undefined
            : carriedStats(latest?.stats?.samples);
      const saved = await bundles.save({
        bundle: {
          workspaceId,
          reuseKey,
          source,
          ...(stored ? { compiled: stored } : {}),
          outputSchema: outputSchema as JsonSchema,
          ...(paramsSchema !== undefined ? { paramsSchema: paramsSchema as JsonSchema } : {}),
          ...(sideEffects ? { sideEffects: true } : {}),
          origin: 'import',
          task: task ?? latest?.task ?? IMPORTED_TASK,
          ...((startUrl ?? latest?.startUrl) ? { startUrl: startUrl ?? latest?.startUrl } : {}),
          ...(latest ? { parentVersion: latest.version } : {}),
          ...(stats ? { stats } : {}),
        },
        expectedVersion: latest?.version ?? 0,
        ...opts,
      });
      return { ...saved, verification };
    },
    delete: (options) => bundles.delete(options),
    ...createReviewAdmin(bundles),
    async exportScript({ workspaceId, reuseKey, version, signal }) {
      const opts = signal ? { signal } : {};
      const bundle =
        version === undefined
          ? await bundles.latest({ workspaceId, reuseKey, ...opts })
          : await bundles.get({ workspaceId, reuseKey, version, ...opts });
      if (!bundle) throw notFound(reuseKey, version);
      // The JavaScript stored with the version when this compiler made it; compiled otherwise.
      const stored = usableCompiled(bundle.compiled, bundle.source, deps.compiler);
      const compiled =
        stored === undefined
          ? await deps.compiler.compile({ source: bundle.source, ...opts })
          : { ok: true as const, javascript: stored, diagnostics: [] };
      if (!compiled.ok) {
        const lines = compiled.diagnostics.map((d) => `  ${d.line}:${d.column} ${d.code} ${d.message}`);
        throw new WebTasksError({
          code: 'invalid-request',
          message: `${reuseKey} v${bundle.version} no longer compiles, so it cannot be exported:\n${lines.join('\n')}`,
          details: compiled.diagnostics,
        });
      }
      return { bundle, script: renderStandaloneScript(bundle, compiled.javascript) };
    },
  };
}
