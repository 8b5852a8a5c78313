import { type WebTasksEngine, WebTasksError } from '@webtasks/core';
import {
  BundleImportSchema,
  BundleReviewSchema,
  BundleRollbackSchema,
  BundleSettingsUpdateSchema,
  REUSE_KEY_PATTERN,
} from '@webtasks/protocol';
import type { FastifyInstance } from 'fastify';
import type { WorkspaceAuth } from '../api-keys.js';
import { workspaceKeyHook } from '../auth-hook.js';
import {
  bundleApproveSchema,
  bundleDeleteSchema,
  bundleDiffSchema,
  bundleExportSchema,
  bundleHistorySchema,
  bundleImportSchema,
  bundleListSchema,
  bundleRejectSchema,
  bundleRollbackSchema,
  bundleSettingsSchema,
  bundleSettingsUpdateSchema,
  bundleShowSchema,
} from '../bundle-route-schemas.js';
import { HttpError, invalidRequestFromZod } from '../http-errors.js';

export interface BundleRoutesOptions {
  engine: WebTasksEngine;
  auth: WorkspaceAuth;
}

type KeyParams = { workspaceId: string; reuseKey: string };
type Query = Record<string, string | undefined>;

function bundleNotFound(reuseKey: string, version?: number): HttpError {
  const shown = reuseKey.length > 80 ? `${reuseKey.slice(0, 80)}…` : reuseKey;
  return new HttpError({
    statusCode: 404,
    code: 'not-found',
    message:
      version === undefined
        ? `No bundle is saved under reuse key ${JSON.stringify(shown)} in this workspace.`
        : `Reuse key ${JSON.stringify(shown)} has no version ${version}: list its versions with GET …/bundles/${encodeURIComponent(reuseKey)}/history.`,
  });
}

function checkKey(reuseKey: string): void {
  if (!REUSE_KEY_PATTERN.test(reuseKey)) throw bundleNotFound(reuseKey);
}

/** A whole number ≥ 1 from the query, or undefined when absent; 400 otherwise. */
function wholeNumber(query: Query, name: string, required = false): number | undefined {
  const value = query[name];
  if (value === undefined && !required) return undefined;
  if (value === undefined || !/^[1-9]\d{0,8}$/.test(value)) {
    throw new HttpError({
      statusCode: 400,
      code: 'invalid-request',
      message: `${name} must be a whole number of at least 1 (for example ${name}=2).`,
      details: [{ path: [name], message: 'expected a whole number ≥ 1' }],
    });
  }
  return Number(value);
}

function onlyKnown(query: Query, known: string[]): void {
  const unknown = Object.keys(query).find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw new HttpError({
      statusCode: 400,
      code: 'invalid-request',
      message: `Unknown query parameter ${JSON.stringify(unknown.slice(0, 40))}: this route takes ${known.join(', ') || 'none'}.`,
    });
  }
}

/** Engine `not-found` becomes the bundle's 404. */
async function orNotFound<T>(
  reuseKey: string,
  version: number | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (WebTasksError.hasCode(error, 'not-found')) throw bundleNotFound(reuseKey, version);
    throw error;
  }
}

/**
 * Bundle management over HTTP: list, show, history, diff, rollback, import, export, delete,
 * and safe promotion (settings: policy and pin; approve or reject a proposed version).
 */
export async function bundleRoutes(app: FastifyInstance, options: BundleRoutesOptions): Promise<void> {
  const { engine } = options;
  app.addHook('onRequest', workspaceKeyHook(options.auth));

  app.get<{ Params: { workspaceId: string }; Querystring: Query }>(
    '/:workspaceId/bundles',
    { schema: bundleListSchema },
    async (request) => {
      onlyKnown(request.query, ['prefix', 'limit']);
      const limit = wholeNumber(request.query, 'limit');
      const { prefix } = request.query;
      const bundles = await engine.bundles.list({
        workspaceId: request.params.workspaceId,
        ...(prefix ? { prefix } : {}),
        ...(limit !== undefined ? { limit: Math.min(limit, 1000) } : {}),
      });
      return { bundles };
    },
  );

  app.get<{ Params: KeyParams; Querystring: Query }>(
    '/:workspaceId/bundles/:reuseKey',
    { schema: bundleShowSchema },
    async (request) => {
      const { workspaceId, reuseKey } = request.params;
      checkKey(reuseKey);
      onlyKnown(request.query, ['version']);
      const version = wholeNumber(request.query, 'version');
      const bundle = await engine.bundles.get({ workspaceId, reuseKey, ...(version ? { version } : {}) });
      if (!bundle) throw bundleNotFound(reuseKey, version);
      return bundle;
    },
  );

  app.get<{ Params: KeyParams; Querystring: Query }>(
    '/:workspaceId/bundles/:reuseKey/history',
    { schema: bundleHistorySchema },
    async (request) => {
      const { workspaceId, reuseKey } = request.params;
      checkKey(reuseKey);
      onlyKnown(request.query, ['limit']);
      const limit = wholeNumber(request.query, 'limit');
      const versions = await engine.bundles.history({
        workspaceId,
        reuseKey,
        ...(limit !== undefined ? { limit: Math.min(limit, 1000) } : {}),
      });
      if (versions.length === 0) throw bundleNotFound(reuseKey);
      return { versions };
    },
  );

  app.get<{ Params: KeyParams; Querystring: Query }>(
    '/:workspaceId/bundles/:reuseKey/diff',
    { schema: bundleDiffSchema },
    async (request) => {
      const { workspaceId, reuseKey } = request.params;
      checkKey(reuseKey);
      onlyKnown(request.query, ['from', 'to']);
      const from = wholeNumber(request.query, 'from', true) as number;
      const to = wholeNumber(request.query, 'to', true) as number;
      return {
        diff: await orNotFound(reuseKey, undefined, () =>
          engine.bundles.diff({ workspaceId, reuseKey, from, to }),
        ),
      };
    },
  );

  app.post<{ Params: KeyParams }>(
    '/:workspaceId/bundles/:reuseKey/rollback',
    { schema: bundleRollbackSchema },
    async (request, reply) => {
      const { workspaceId, reuseKey } = request.params;
      checkKey(reuseKey);
      const parsed = BundleRollbackSchema.safeParse(request.body);
      if (!parsed.success) throw invalidRequestFromZod(parsed.error, 'rollback request');
      const { version } = parsed.data;
      const saved = await orNotFound(reuseKey, version, () =>
        engine.bundles.rollback({ workspaceId, reuseKey, version }),
      );
      reply.code(201);
      return saved;
    },
  );

  app.put<{ Params: KeyParams }>(
    '/:workspaceId/bundles/:reuseKey',
    { schema: bundleImportSchema },
    async (request, reply) => {
      const { workspaceId, reuseKey } = request.params;
      if (!REUSE_KEY_PATTERN.test(reuseKey)) {
        throw new HttpError({
          statusCode: 400,
          code: 'invalid-request',
          message: 'The reuse key must be 1..128 characters of letters, digits, ".", "_", ":" or "-".',
        });
      }
      const parsed = BundleImportSchema.safeParse(request.body);
      if (!parsed.success) throw invalidRequestFromZod(parsed.error, 'bundle import');
      const { source, outputSchema, task, startUrl, paramsSchema, parameters, verify, sideEffects } =
        parsed.data;
      const saved = await engine.bundles.import({
        workspaceId,
        reuseKey,
        source,
        outputSchema,
        ...(task ? { task } : {}),
        ...(startUrl ? { startUrl } : {}),
        ...(paramsSchema !== undefined ? { paramsSchema } : {}),
        ...(parameters ? { parameters } : {}),
        ...(verify !== undefined ? { verify } : {}),
        ...(sideEffects !== undefined ? { sideEffects } : {}),
      });
      reply.code(201);
      return saved;
    },
  );

  app.get<{ Params: KeyParams; Querystring: Query }>(
    '/:workspaceId/bundles/:reuseKey/export',
    { schema: bundleExportSchema },
    async (request, reply) => {
      const { workspaceId, reuseKey } = request.params;
      checkKey(reuseKey);
      onlyKnown(request.query, ['version']);
      const version = wholeNumber(request.query, 'version');
      const { bundle, script } = await orNotFound(reuseKey, version, () =>
        engine.bundles.exportScript({ workspaceId, reuseKey, ...(version ? { version } : {}) }),
      );
      return reply
        .type('text/javascript; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${bundle.reuseKey.replace(/[^A-Za-z0-9._-]/g, '_')}-v${bundle.version}.mjs"`,
        )
        .send(script);
    },
  );

  app.get<{ Params: KeyParams }>(
    '/:workspaceId/bundles/:reuseKey/settings',
    { schema: bundleSettingsSchema },
    async (request) => {
      const { workspaceId, reuseKey } = request.params;
      checkKey(reuseKey);
      return engine.bundles.settings({ workspaceId, reuseKey });
    },
  );

  app.patch<{ Params: KeyParams }>(
    '/:workspaceId/bundles/:reuseKey/settings',
    { schema: bundleSettingsUpdateSchema },
    async (request) => {
      const { workspaceId, reuseKey } = request.params;
      checkKey(reuseKey);
      const parsed = BundleSettingsUpdateSchema.safeParse(request.body);
      if (!parsed.success) throw invalidRequestFromZod(parsed.error, 'settings update');
      const { promotion, pinnedVersion } = parsed.data;
      let settings = await engine.bundles.settings({ workspaceId, reuseKey });
      if (pinnedVersion === null) settings = await engine.bundles.unpin({ workspaceId, reuseKey });
      else if (pinnedVersion !== undefined) {
        settings = await orNotFound(reuseKey, pinnedVersion, () =>
          engine.bundles.pin({ workspaceId, reuseKey, version: pinnedVersion }),
        );
      }
      if (promotion !== undefined)
        settings = await engine.bundles.setPolicy({ workspaceId, reuseKey, policy: promotion });
      return settings;
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post<{ Params: KeyParams }>(
      `/:workspaceId/bundles/:reuseKey/${decision}`,
      { schema: decision === 'approve' ? bundleApproveSchema : bundleRejectSchema },
      async (request) => {
        const { workspaceId, reuseKey } = request.params;
        checkKey(reuseKey);
        const parsed = BundleReviewSchema.safeParse(request.body);
        if (!parsed.success) throw invalidRequestFromZod(parsed.error, `${decision} request`);
        const { version } = parsed.data;
        return orNotFound(reuseKey, version, () =>
          engine.bundles[decision]({ workspaceId, reuseKey, version }),
        );
      },
    );
  }

  app.delete<{ Params: KeyParams }>(
    '/:workspaceId/bundles/:reuseKey',
    { schema: bundleDeleteSchema },
    async (request, reply) => {
      const { workspaceId, reuseKey } = request.params;
      checkKey(reuseKey);
      if (!(await engine.bundles.delete({ workspaceId, reuseKey }))) throw bundleNotFound(reuseKey);
      return reply.code(204).send();
    },
  );
}
