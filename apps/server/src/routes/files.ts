import { attachmentDisposition, type BlobStore } from '@webtasks/core';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http-errors.js';
import { fileRouteSchema } from '../route-schemas.js';

/** What a signed-URL check answers (compatible with `verifyBlobUrl` of `@webtasks/core`). */
export type FileUrlCheck =
  | { ok: true; key: string; downloadName?: string }
  | { ok: false; reason: string; message: string };

/**
 * Checks a signed file URL (the request path with its query). Tampered, malformed or expired
 * URLs must come back `{ ok: false }`; the server answers them 403 `forbidden`.
 */
export type FileUrlVerifier = (url: string) => FileUrlCheck | Promise<FileUrlCheck>;

export interface FileRoutesOptions {
  blobs: Pick<BlobStore, 'get'>;
  verify: FileUrlVerifier;
}

/**
 * `GET /files/*`: serves blobs behind URLs signed by a blob store with `server` signing. No API
 * key: the signature is the credential, it binds the exact key, and it expires. Files are
 * produced from scraped pages, so they are served inert (sandboxed CSP, no MIME sniffing).
 */
export async function fileRoutes(app: FastifyInstance, options: FileRoutesOptions): Promise<void> {
  app.get('/files/*', { schema: fileRouteSchema }, async (request, reply) => {
    const check = await options.verify(request.url);
    if (!check.ok) {
      throw new HttpError({ statusCode: 403, code: 'forbidden', message: check.message });
    }
    const blob = await options.blobs.get({ key: check.key });
    if (blob === undefined) {
      throw new HttpError({
        statusCode: 404,
        code: 'not-found',
        message: 'This file no longer exists: run the task again to produce a new one.',
      });
    }
    reply
      .header('content-type', blob.contentType || 'application/octet-stream')
      .header('content-length', String(blob.body.byteLength))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "sandbox; default-src 'none'")
      .header('cache-control', 'private, max-age=300');
    if (check.downloadName !== undefined)
      reply.header('content-disposition', attachmentDisposition(check.downloadName));
    return reply.send(Buffer.from(blob.body.buffer, blob.body.byteOffset, blob.body.byteLength));
  });
}
