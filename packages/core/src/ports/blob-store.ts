import type { CallOptions } from './common.js';

/** A stored object. */
export interface BlobObject {
  body: Uint8Array;
  contentType: string;
  sizeBytes: number;
}

/** What a blob store supports. */
export interface BlobStoreCapabilities {
  /**
   * `native`: `signedUrl` returns a URL the storage service itself serves (S3).
   * `server`: the URL points at the webtasks server, which verifies and serves it.
   */
  signedUrls: 'native' | 'server';
}

/**
 * Bytes by key: result files, downloads, traces. Keys are `/`-separated paths that start
 * with the workspace id; adapters reject keys with `..`, empty segments or a leading `/`.
 */
export interface BlobStore {
  readonly specificationVersion: 'v1';
  readonly capabilities: BlobStoreCapabilities;
  /** Store bytes under a key, replacing what was there. */
  put(
    options: { key: string; body: Uint8Array; contentType: string } & CallOptions,
  ): Promise<{ sizeBytes: number }>;
  /**
   * Store a body that arrives in chunks without holding it whole. A body that throws stores
   * nothing (what was there stays). Optional: `putBlobStream` collects the chunks and calls
   * `put` for stores without it.
   */
  putStream?(
    options: { key: string; body: AsyncIterable<Uint8Array>; contentType: string } & CallOptions,
  ): Promise<{ sizeBytes: number }>;
  /** Read an object, or undefined. */
  get(options: { key: string } & CallOptions): Promise<BlobObject | undefined>;
  /** Delete an object; returns whether it existed. */
  delete(options: { key: string } & CallOptions): Promise<boolean>;
  /** A URL that serves the object until it expires. */
  signedUrl(
    options: { key: string; expiresInSeconds: number; downloadName?: string } & CallOptions,
  ): Promise<{ url: string; expiresAt: string }>;
}
