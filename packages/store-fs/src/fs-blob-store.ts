import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  type BlobStore,
  type SignedUrlVerifier,
  signBlobUrl,
  throwIfAborted,
  verifyBlobUrl,
  WebTasksError,
} from '@webtasks/core';
import { hasErrno, writeFileAtomic, writeHandleAtomic } from './atomic-file.js';
import { blobKeySegments, inside } from './fs-names.js';
import { guard } from './storage-error.js';

/** Options of `createFsBlobStore`. */
export interface FsBlobStoreOptions {
  /** The store directory; objects live under `<directory>/blobs/`. Created when missing. */
  directory: string;
  /** Base URL of the webtasks server that serves signed URLs, e.g. `https://tasks.example.com`. */
  baseUrl: string;
  /** HMAC secret shared with the server (at least 16 characters). */
  secret: string;
}

/** A filesystem blob store, with the verifier the server uses for its signed URLs. */
export type FsBlobStore = BlobStore & SignedUrlVerifier;

const ADAPTER = 'store-fs:blobs';
const MAGIC = Buffer.from('WTB1');

// Blobs are written to a temp file beside their name, fsynced, then renamed over it: a name
// only ever points at a complete object (and `decodeObject` checks the size in the header, so
// a file damaged some other way reads as damaged, never as a shorter body). The directory is
// not fsynced after the rename (`syncDirectory: false`): that fsync cost one disk flush per
// stored file (~15 ms each at load, half the store's time in a batch of downloads), and all
// it adds is that the rename itself survives a power loss in the milliseconds after it. The
// task record that names a blob is written after the blob and synced with its own directory's
// fsync, which on journaling filesystems (ext4, xfs) commits the earlier rename with it.
const SYNC = { syncDirectory: false } as const;
const FLUSH_BYTES = 1024 * 1024;

// One file per object: magic, header length (uint32 BE), JSON header, then the bytes. Data
// and content type change together in one atomic rename.
function encodeObject(body: Uint8Array, contentType: string): Buffer {
  const header = Buffer.from(JSON.stringify({ contentType, sizeBytes: body.length }));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([MAGIC, length, header, body]);
}

/**
 * The header of a body whose size is known only at its end: written first with room for any
 * size (JSON allows the trailing spaces), rewritten in place once the body is complete.
 */
function streamHeader(contentType: string, sizeBytes: number): Buffer {
  const room = JSON.stringify({ contentType, sizeBytes: Number.MAX_SAFE_INTEGER }).length;
  const header = Buffer.from(JSON.stringify({ contentType, sizeBytes }).padEnd(room, ' '));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([MAGIC, length, header]);
}

function decodeObject(
  file: Buffer,
  key: string,
): { body: Uint8Array; contentType: string; sizeBytes: number } {
  const fail = (): never => {
    throw new WebTasksError({
      code: 'storage-error',
      message: `[webtasks:${ADAPTER}] The stored object ${JSON.stringify(key)} is damaged: delete it and store it again.`,
    });
  };
  if (file.length < 8 || !file.subarray(0, 4).equals(MAGIC)) fail();
  const headerLength = file.readUInt32BE(4);
  let header: { contentType: string; sizeBytes: number } | undefined;
  try {
    header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    fail();
  }
  const body = file.subarray(8 + headerLength);
  if (header === undefined || body.length !== header.sizeBytes) return fail();
  return { body: new Uint8Array(body), contentType: header.contentType, sizeBytes: body.length };
}

/**
 * A BlobStore on the local filesystem: `blobs/<encoded key segments>.blob`, written
 * atomically. `signedUrl` returns an HMAC-signed URL under `${baseUrl}/files/<key>` that
 * the webtasks server checks with `verifySignedUrl` and then serves (`signedUrls: 'server'`).
 */
export function createFsBlobStore(options: FsBlobStoreOptions): FsBlobStore {
  if (typeof options.secret !== 'string' || options.secret.length < 16) {
    throw new WebTasksError({
      code: 'invalid-config',
      message: `[webtasks:${ADAPTER}] secret must be a string of at least 16 characters; generate one with \`openssl rand -base64 32\` and share it with the server.`,
    });
  }
  try {
    new URL(options.baseUrl);
  } catch (cause) {
    throw new WebTasksError({
      code: 'invalid-config',
      cause,
      message: `[webtasks:${ADAPTER}] baseUrl ${JSON.stringify(options.baseUrl)} is not an absolute URL: pass where the server is reached, e.g. http://localhost:3000.`,
    });
  }
  const root = path.resolve(options.directory, 'blobs');
  const objectPath = (key: string): string => {
    const segments = blobKeySegments(key, ADAPTER);
    const last = segments.pop() as string;
    return inside(root, ...segments, `${last}.blob`);
  };

  return {
    specificationVersion: 'v1',
    capabilities: { signedUrls: 'server' },

    async put(call) {
      throwIfAborted(call.signal);
      const file = objectPath(call.key);
      return guard(ADAPTER, 'store an object', async () => {
        await writeFileAtomic(file, encodeObject(call.body, call.contentType), SYNC);
        return { sizeBytes: call.body.length };
      });
    },

    async putStream(call) {
      throwIfAborted(call.signal);
      const file = objectPath(call.key);
      return guard(ADAPTER, 'store an object', async () => {
        let sizeBytes = 0;
        await writeHandleAtomic(
          file,
          async (handle) => {
            const empty = streamHeader(call.contentType, 0);
            await handle.write(empty, 0, empty.length, 0);
            // Network chunks are small (16-64 KiB): gathered up to 1 MiB and written with one
            // writev, not one write (and one thread-pool round trip) each.
            let position = empty.length;
            let pending: Uint8Array[] = [];
            let pendingBytes = 0;
            const flush = async () => {
              if (pendingBytes === 0) return;
              const { bytesWritten } = await handle.writev(pending, position);
              // Regular files take a whole writev unless the disk is full.
              if (bytesWritten !== pendingBytes)
                throw new Error(`short write (${bytesWritten} of ${pendingBytes} bytes): is the disk full?`);
              position += pendingBytes;
              pending = [];
              pendingBytes = 0;
            };
            for await (const chunk of call.body) {
              throwIfAborted(call.signal);
              pending.push(chunk);
              pendingBytes += chunk.byteLength;
              sizeBytes += chunk.byteLength;
              if (pendingBytes >= FLUSH_BYTES) await flush();
            }
            await flush();
            const header = streamHeader(call.contentType, sizeBytes);
            await handle.write(header, 0, header.length, 0);
          },
          SYNC,
        );
        return { sizeBytes };
      });
    },

    async get(call) {
      throwIfAborted(call.signal);
      const file = objectPath(call.key);
      return guard(ADAPTER, 'read an object', async () => {
        let content: Buffer;
        try {
          content = await readFile(file);
        } catch (error) {
          if (hasErrno(error, 'ENOENT') || hasErrno(error, 'ENOTDIR')) return undefined;
          throw error;
        }
        return decodeObject(content, call.key);
      });
    },

    async delete(call) {
      throwIfAborted(call.signal);
      const file = objectPath(call.key);
      return guard(ADAPTER, 'delete an object', async () => {
        try {
          await unlink(file);
          return true;
        } catch (error) {
          if (hasErrno(error, 'ENOENT') || hasErrno(error, 'ENOTDIR')) return false;
          throw error;
        }
      });
    },

    async signedUrl(call) {
      throwIfAborted(call.signal);
      objectPath(call.key);
      return signBlobUrl({
        baseUrl: options.baseUrl,
        key: call.key,
        secret: options.secret,
        expiresAt: Date.now() + call.expiresInSeconds * 1000,
        ...(call.downloadName === undefined ? {} : { downloadName: call.downloadName }),
      });
    },

    verifySignedUrl(check) {
      return verifySignedBlobUrl({
        url: check.url,
        secret: options.secret,
        ...(check.now === undefined ? {} : { now: check.now }),
      });
    },
  };
}

/**
 * Check a URL signed by a filesystem blob store with `secret` (for servers that hold the
 * secret but not the store). `{ ok: false, reason }` for tampered, malformed or expired URLs.
 */
export function verifySignedBlobUrl(options: { url: string | URL; secret: string; now?: number }) {
  return verifyBlobUrl(options);
}
