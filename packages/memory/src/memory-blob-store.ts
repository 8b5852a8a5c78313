import { randomBytes } from 'node:crypto';
import {
  assertBlobKey,
  type BlobObject,
  type BlobStore,
  type SignedUrlVerifier,
  signBlobUrl,
  throwIfAborted,
  verifyBlobUrl,
} from '@webtasks/core';

/** Options of `createMemoryBlobStore`. */
export interface MemoryBlobStoreOptions {
  /** Base URL of the webtasks server that serves signed URLs. Default `http://localhost:3000`. */
  baseUrl?: string;
  /** HMAC secret for signed URLs. Default: random per store (only this store can verify them). */
  secret?: string;
}

/** A memory blob store, with the verifier the server uses for its signed URLs. */
export type MemoryBlobStore = BlobStore & SignedUrlVerifier;

const ADAPTER = 'memory-blob-store';

/**
 * A BlobStore in process memory. `signedUrl` returns an HMAC-signed URL under
 * `${baseUrl}/files/<key>` that the webtasks server verifies (`capabilities.signedUrls: 'server'`).
 */
export function createMemoryBlobStore(options: MemoryBlobStoreOptions = {}): MemoryBlobStore {
  const baseUrl = options.baseUrl ?? 'http://localhost:3000';
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const objects = new Map<string, BlobObject>();

  return {
    specificationVersion: 'v1',
    capabilities: { signedUrls: 'server' },

    async put(call) {
      throwIfAborted(call.signal);
      assertBlobKey(call.key, { adapter: ADAPTER });
      const body = new Uint8Array(call.body);
      objects.set(call.key, { body, contentType: call.contentType, sizeBytes: body.length });
      return { sizeBytes: body.length };
    },

    async putStream(call) {
      throwIfAborted(call.signal);
      assertBlobKey(call.key, { adapter: ADAPTER });
      // Held until the body ended: a body that throws leaves the key as it was.
      const chunks: Uint8Array[] = [];
      for await (const chunk of call.body) {
        throwIfAborted(call.signal);
        chunks.push(new Uint8Array(chunk));
      }
      const body = new Uint8Array(Buffer.concat(chunks));
      objects.set(call.key, { body, contentType: call.contentType, sizeBytes: body.length });
      return { sizeBytes: body.length };
    },

    async get(call) {
      throwIfAborted(call.signal);
      assertBlobKey(call.key, { adapter: ADAPTER });
      const found = objects.get(call.key);
      return found === undefined ? undefined : { ...found, body: new Uint8Array(found.body) };
    },

    async delete(call) {
      throwIfAborted(call.signal);
      assertBlobKey(call.key, { adapter: ADAPTER });
      return objects.delete(call.key);
    },

    async signedUrl(call) {
      throwIfAborted(call.signal);
      assertBlobKey(call.key, { adapter: ADAPTER });
      return signBlobUrl({
        baseUrl,
        key: call.key,
        expiresAt: Date.now() + call.expiresInSeconds * 1000,
        secret,
        ...(call.downloadName === undefined ? {} : { downloadName: call.downloadName }),
      });
    },

    verifySignedUrl(check) {
      return verifyBlobUrl({
        url: check.url,
        secret,
        ...(check.now === undefined ? {} : { now: check.now }),
      });
    },
  };
}
