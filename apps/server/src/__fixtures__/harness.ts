import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BlobObject } from '@webtasks/core';
import type { FastifyInstance } from 'fastify';
import { createApiKeyAuth, hashApiKey } from '../api-keys.js';
import { type CreateServerOptions, createServer } from '../create-server.js';
import type { FileUrlCheck } from '../routes/files.js';
import { FakeEngine } from './fake-engine.js';

/** Two workspaces and their keys. */
export const WORKSPACES = {
  a: { workspaceId: 'ws_a', apiKey: 'key-a-0123456789' },
  b: { workspaceId: 'ws_b', apiKey: 'key-b-0123456789' },
} as const;

const SECRET = 'test-file-secret';

/** A tiny signer with the same shape as the filesystem store's: `/files/<key>?expires=&signature=`. */
export function signFileUrl(key: string, expiresAtMs: number, secret = SECRET): string {
  const expires = Math.ceil(expiresAtMs / 1000);
  const signature = createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `/files/${path}?expires=${expires}&signature=${signature}`;
}

/** The verifier matching `signFileUrl`. */
export function verifyFileUrl(url: string): FileUrlCheck {
  const parsed = new URL(url, 'http://x.invalid');
  const expires = parsed.searchParams.get('expires');
  const signature = parsed.searchParams.get('signature') ?? '';
  if (!parsed.pathname.startsWith('/files/') || expires === null || !/^\d+$/.test(expires)) {
    return {
      ok: false,
      reason: 'malformed',
      message: 'The file URL is incomplete: ask for a new signed URL.',
    };
  }
  let key: string;
  try {
    key = parsed.pathname.slice('/files/'.length).split('/').map(decodeURIComponent).join('/');
  } catch {
    return { ok: false, reason: 'malformed', message: 'The file URL path is not valid.' };
  }
  const expected = Buffer.from(createHmac('sha256', SECRET).update(`${key}\n${expires}`).digest('base64url'));
  const actual = Buffer.from(signature);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return {
      ok: false,
      reason: 'bad-signature',
      message: 'The file URL signature is invalid: ask for a new signed URL.',
    };
  }
  if (Number(expires) * 1000 <= Date.now()) {
    return {
      ok: false,
      reason: 'expired',
      message: 'The file URL has expired: fetch the result again for a fresh URL.',
    };
  }
  return { ok: true, key };
}

/** A running test server with a fake engine, two workspaces and an in-memory blob map. */
export interface Harness {
  app: FastifyInstance;
  engine: FakeEngine;
  blobs: Map<string, BlobObject>;
  /** Start a task in a workspace through HTTP; returns the id. */
  start(workspace: keyof typeof WORKSPACES, body?: Record<string, unknown>): Promise<string>;
}

export async function createHarness(overrides: Partial<CreateServerOptions> = {}): Promise<Harness> {
  const engine = new FakeEngine();
  const blobs = new Map<string, BlobObject>();
  const app = await createServer({
    engine,
    auth: createApiKeyAuth(
      Object.values(WORKSPACES).map(({ workspaceId, apiKey }) => ({
        workspaceId,
        keyHash: hashApiKey(apiKey),
      })),
    ),
    blobs: { get: async ({ key }) => blobs.get(key) },
    fileVerifier: verifyFileUrl,
    ...overrides,
  });
  return {
    app,
    engine,
    blobs,
    async start(workspace, body = { task: 'Read the table on the page' }) {
      const { workspaceId, apiKey } = WORKSPACES[workspace];
      const response = await app.inject({
        method: 'POST',
        url: `/${workspaceId}/web-tasks/start`,
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      if (response.statusCode !== 202)
        throw new Error(`start failed: ${response.statusCode} ${response.body}`);
      return (response.json() as { webTaskId: string }).webTaskId;
    },
  };
}
