import type { CallOptions, JsonSchema } from './common.js';

/** How a bundle version came to be. */
export type BundleOrigin = 'explore' | 'repair' | 'import' | 'rollback';

/** Per-field statistics of a bundle's outputs, for drift checks. */
export interface OutputStats {
  /** Successful runs counted. */
  runs: number;
  /** Row count (array outputs, or the longest array at the top level) of recent runs, newest last. */
  rowCounts: number[];
  /** For each field path (`[].name`, `total`): in how many recent runs it was filled at least once. */
  filledRuns: Record<string, number>;
}

/** One saved version of a reusable automation. */
export interface Bundle {
  workspaceId: string;
  reuseKey: string;
  /** 1, 2, 3… per (workspace, reuseKey). */
  version: number;
  /** TypeScript source with `export default async function run(ctx)`. */
  source: string;
  /** Output schema enforced on every run (the caller's, or the one the agent proposed). */
  outputSchema: JsonSchema;
  origin: BundleOrigin;
  /** The task text the version was written for. */
  task: string;
  startUrl?: string;
  /** The web task that produced the version (absent for imports). */
  webTaskId?: string;
  /** The version this one was derived from (repairs, rollbacks). */
  parentVersion?: number;
  /** ISO timestamp. */
  createdAt: string;
  /** Output statistics of successful runs of this version. */
  stats?: OutputStats;
}

/** A bundle as given to `save`: the store assigns `version` and `createdAt`. */
export type NewBundle = Omit<Bundle, 'version' | 'createdAt' | 'stats'>;

/** A line of history or listing. */
export interface BundleSummary {
  workspaceId: string;
  reuseKey: string;
  version: number;
  origin: BundleOrigin;
  createdAt: string;
  webTaskId?: string;
  parentVersion?: number;
}

/** Identifies one reusable automation. */
export interface BundleKey {
  workspaceId: string;
  reuseKey: string;
}

/**
 * Reusable code per (workspace, reuseKey). Every version is kept. `save` is a
 * compare-and-set: it fails with a `conflict` WebtasksError unless the latest version is
 * still `expectedVersion` (0 when there is none).
 */
export interface BundleStore {
  readonly specificationVersion: 'v1';
  /** The newest version, or undefined when the key has none. */
  latest(options: BundleKey & CallOptions): Promise<Bundle | undefined>;
  /** One version, or undefined. */
  get(options: BundleKey & { version: number } & CallOptions): Promise<Bundle | undefined>;
  /** Versions newest first. */
  history(options: BundleKey & { limit?: number } & CallOptions): Promise<BundleSummary[]>;
  /** Save the next version if the latest is still `expectedVersion`. Returns the saved bundle. */
  save(options: { bundle: NewBundle; expectedVersion: number } & CallOptions): Promise<Bundle>;
  /** Replace the output statistics of one version. */
  saveStats(options: BundleKey & { version: number; stats: OutputStats } & CallOptions): Promise<void>;
  /** The latest version of each key of a workspace, ordered by key. */
  list(
    options: { workspaceId: string; prefix?: string; limit?: number; after?: string } & CallOptions,
  ): Promise<BundleSummary[]>;
  /** Delete every version of a key. Returns whether anything was deleted. */
  delete(options: BundleKey & CallOptions): Promise<boolean>;
}
