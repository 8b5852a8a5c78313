import {
  BundleImportSchema,
  BundleReviewSchema,
  BundleRollbackSchema,
  BundleSchema,
  BundleSettingsSchema,
  BundleSettingsUpdateSchema,
  BundleSummarySchema,
  ImportedBundleSchema,
} from '@webtasks/protocol';
import { commonErrors, errorResponse, toSchema, workspaceParam } from './route-schemas.js';

/** OpenAPI documentation of the bundle routes (handlers validate with the protocol's zod schemas). */
const keyParams = {
  type: 'object',
  properties: {
    workspaceId: workspaceParam,
    reuseKey: { type: 'string', description: 'The reuse key the code is saved under.' },
  },
  required: ['workspaceId', 'reuseKey'],
};
const versionQuery = {
  type: 'object',
  properties: { version: { type: 'integer', minimum: 1, description: 'A version; default the latest.' } },
};
const bundle = toSchema(BundleSchema, 'output');
const summaries = (name: string) => ({
  type: 'object',
  properties: { [name]: { type: 'array', items: toSchema(BundleSummarySchema, 'output') } },
  required: [name],
});
const notFound = errorResponse('`not-found`: no bundle (or no such version) under this reuse key.');
const badRequest = errorResponse(
  '`invalid-request`: a parameter or the body is malformed; the message says which.',
);
const base = { tags: ['bundles'], security: [{ apiKey: [] }] };

export const bundleListSchema = {
  ...base,
  operationId: 'listBundles',
  summary: 'List saved bundles (the latest version of each reuse key)',
  params: { type: 'object', properties: { workspaceId: workspaceParam }, required: ['workspaceId'] },
  querystring: {
    type: 'object',
    properties: {
      prefix: { type: 'string', description: 'Only reuse keys starting with this.' },
      limit: { type: 'integer', minimum: 1, maximum: 1000 },
    },
  },
  response: {
    200: { description: 'The bundles.', ...summaries('bundles') },
    400: badRequest,
    ...commonErrors,
  },
};

export const bundleShowSchema = {
  ...base,
  operationId: 'getBundle',
  summary: 'Show a bundle version with its source and output schema',
  params: keyParams,
  querystring: versionQuery,
  response: {
    200: { description: 'The version.', ...bundle },
    400: badRequest,
    404: notFound,
    ...commonErrors,
  },
};

export const bundleHistorySchema = {
  ...base,
  operationId: 'getBundleHistory',
  summary: 'Every saved version of a reuse key, newest first',
  params: keyParams,
  querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
  response: {
    200: { description: 'The versions.', ...summaries('versions') },
    404: notFound,
    ...commonErrors,
  },
};

export const bundleDiffSchema = {
  ...base,
  operationId: 'diffBundleVersions',
  summary: 'Unified diff between two versions',
  params: keyParams,
  querystring: {
    type: 'object',
    properties: { from: { type: 'integer', minimum: 1 }, to: { type: 'integer', minimum: 1 } },
    required: ['from', 'to'],
  },
  response: {
    200: {
      description: 'The diff.',
      type: 'object',
      properties: { diff: { type: 'string' } },
      required: ['diff'],
    },
    400: badRequest,
    404: notFound,
    ...commonErrors,
  },
};

export const bundleRollbackSchema = {
  ...base,
  operationId: 'rollbackBundle',
  summary: 'Save a copy of an earlier version as the newest version',
  params: keyParams,
  body: toSchema(BundleRollbackSchema, 'input'),
  response: {
    201: { description: 'The new version.', ...bundle },
    400: badRequest,
    404: notFound,
    ...commonErrors,
  },
};

export const bundleImportSchema = {
  ...base,
  operationId: 'importBundle',
  summary: 'Compile, check, verify and save source as the newest version',
  description:
    'Unless `verify` is false or `sideEffects` is true, the server runs the code once (with `parameters`) before saving it; a failing run or an empty list refuses the import.',
  params: keyParams,
  body: toSchema(BundleImportSchema, 'input'),
  response: {
    201: {
      description: 'The saved version and its verification.',
      ...toSchema(ImportedBundleSchema, 'output'),
    },
    400: errorResponse(
      '`invalid-request`: the body is malformed, the code does not compile (details list the diagnostics), its parameters schema is invalid, or its verification run failed.',
    ),
    ...commonErrors,
  },
};

export const bundleExportSchema = {
  ...base,
  operationId: 'exportBundle',
  summary: 'Export a version as a standalone Playwright script',
  description:
    'An ES module that runs the bundle with plain playwright-core (`node script.mjs --params params.json`), no webtasks needed.',
  params: keyParams,
  querystring: versionQuery,
  response: {
    200: { description: 'The script.', content: { 'text/javascript': { schema: { type: 'string' } } } },
    400: badRequest,
    404: notFound,
    ...commonErrors,
  },
};

export const bundleDeleteSchema = {
  ...base,
  operationId: 'deleteBundle',
  summary: 'Delete every version of a reuse key',
  params: keyParams,
  response: { 204: { description: 'Deleted.', type: 'null' }, 404: notFound, ...commonErrors },
};

const settings = toSchema(BundleSettingsSchema, 'output');

export const bundleSettingsSchema = {
  ...base,
  operationId: 'getBundleSettings',
  summary: "A reuse key's promotion policy and pinned version",
  params: keyParams,
  response: { 200: { description: 'The settings.', ...settings }, ...commonErrors },
};

export const bundleSettingsUpdateSchema = {
  ...base,
  operationId: 'updateBundleSettings',
  summary: "Change a reuse key's promotion policy, pin a version or unpin",
  description:
    '`promotion`: `auto` (repairs go live), `review` (repairs are saved as proposed and wait for approval) or `off` (no repairs). `pinnedVersion`: runs use that version whatever is saved later; `null` unpins.',
  params: keyParams,
  body: toSchema(BundleSettingsUpdateSchema, 'input'),
  response: {
    200: { description: 'The settings now.', ...settings },
    400: badRequest,
    404: notFound,
    ...commonErrors,
  },
};

function reviewSchema(decision: 'approve' | 'reject') {
  return {
    ...base,
    operationId: decision === 'approve' ? 'approveBundleVersion' : 'rejectBundleVersion',
    summary:
      decision === 'approve'
        ? 'Approve a proposed version: runs use it when it is the newest active one'
        : 'Reject a proposed version: runs never use it',
    params: keyParams,
    body: toSchema(BundleReviewSchema, 'input'),
    response: {
      200: { description: 'The version with its new status.', ...bundle },
      400: errorResponse('`invalid-request`: the body is malformed, or the version is not proposed.'),
      404: notFound,
      ...commonErrors,
    },
  };
}

export const bundleApproveSchema = reviewSchema('approve');
export const bundleRejectSchema = reviewSchema('reject');
