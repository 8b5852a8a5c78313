import type { CallOptions } from './common.js';

/** What a sealed entry holds: a workspace secret, or a browser auth session (storage state). */
export type SealedKind = 'secret' | 'auth-session';

/** One sealed entry as stored. The store sees ciphertext only: the core seals and opens. */
export interface SealedEntry {
  kind: SealedKind;
  name: string;
  /** AES-256-GCM ciphertext made by the core (`seal`), opaque to the store. */
  sealed: string;
  /** ISO timestamp of the last `put`. */
  updatedAt: string;
}

/**
 * Workspace secrets and auth sessions, sealed at rest, by (workspace, kind, name). Entries of
 * one workspace are never visible from another.
 */
export interface SecretStore {
  readonly specificationVersion: 'v1';
  /** Create or replace an entry. */
  put(options: { workspaceId: string; entry: SealedEntry } & CallOptions): Promise<void>;
  /** One entry, or undefined. */
  get(
    options: { workspaceId: string; kind: SealedKind; name: string } & CallOptions,
  ): Promise<SealedEntry | undefined>;
  /** Every entry of a kind in the workspace, sorted by name. */
  list(options: { workspaceId: string; kind: SealedKind } & CallOptions): Promise<SealedEntry[]>;
  /** Remove an entry; true when there was one. */
  delete(options: { workspaceId: string; kind: SealedKind; name: string } & CallOptions): Promise<boolean>;
}
