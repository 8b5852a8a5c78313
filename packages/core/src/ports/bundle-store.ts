import type { CallOptions, JsonObject, JsonSchema } from './common.js';

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
  /**
   * Recent successful runs of the key with distinct parameters, newest last: what the
   * promotion gate replays a new candidate with. Carried over to each new version; absent
   * for side-effecting bundles (they are never replayed).
   */
  samples?: RunSample[];
}

/** One earlier successful run: its parameters and the statistics of its output. */
export interface RunSample {
  params: JsonObject;
  /** Statistics of that run's output alone, for the drift check of a replay. */
  stats: Omit<OutputStats, 'samples'>;
  /** ISO timestamp of the run. */
  at: string;
}

/**
 * JavaScript compiled from a version's source, stored with the version so that running it
 * needs no compiler. It is used only when `sourceHash` matches the version's source and
 * `compilerVersion` matches the running compiler's `CodeCompiler.version`; otherwise the
 * engine compiles the source again.
 */
export interface CompiledCode {
  /** What `Sandbox.run` takes as `code`. */
  javascript: string;
  /** SHA-256 of the UTF-8 source it was compiled from, lowercase hex. */
  sourceHash: string;
  /** `CodeCompiler.version` of the compiler that produced it. */
  compilerVersion: string;
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
  /**
   * JSON Schema (2020-12) of the parameters. Every run's parameters are checked against it
   * before anything runs, and its `default` values fill missing parameters.
   */
  paramsSchema?: JsonSchema;
  /** The code changes the site (submits, buys): it is never replayed by the promotion gate. */
  sideEffects?: boolean;
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
  /** The compiled JavaScript, when it was stored (versions saved before it was, have none). */
  compiled?: CompiledCode;
  /**
   * Whether runs may use the version: `active` (absent means active), `proposed` (saved
   * under the `review` policy, waiting for approval) or `rejected`.
   */
  status?: BundleStatus;
}

/** Review state of a version. */
export type BundleStatus = 'active' | 'proposed' | 'rejected';

/** How new versions of a key go live. */
export type PromotionPolicy = 'auto' | 'review' | 'off';

/** Settings of one reuse key (not of a version). */
export interface BundleKeySettings {
  /**
   * `auto`: a successful repair goes live at once. `review`: it is saved as `proposed` and
   * runs keep using the current version until it is approved. `off`: no repairs; a failing
   * version's failure is reported.
   */
  promotion: PromotionPolicy;
  /** Runs use this version whatever is saved later. */
  pinnedVersion?: number;
}

/**
 * A bundle as given to `save`: the store assigns `version` and `createdAt`. `stats`, when
 * given, is stored in the same write as the version (a version never exists without the
 * statistics of the run that saved it); `saveStats` replaces them later.
 */
export type NewBundle = Omit<Bundle, 'version' | 'createdAt'>;

/** A line of history or listing. */
export interface BundleSummary {
  workspaceId: string;
  reuseKey: string;
  version: number;
  origin: BundleOrigin;
  createdAt: string;
  webTaskId?: string;
  parentVersion?: number;
  /** Absent means active. */
  status?: BundleStatus;
}

/** Identifies one reusable automation. */
export interface BundleKey {
  workspaceId: string;
  reuseKey: string;
}

/**
 * Reusable code per (workspace, reuseKey). Every version is kept. `save` is a
 * compare-and-set: it fails with a `conflict` WebTasksError unless the latest version is
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
  /**
   * Save the next version if the latest is still `expectedVersion`, with its `compiled` code
   * and `stats` when given, in one write. Returns the saved bundle.
   */
  save(options: { bundle: NewBundle; expectedVersion: number } & CallOptions): Promise<Bundle>;
  /**
   * Store (or replace) the compiled JavaScript of one existing version: for versions saved
   * without it, or compiled by another compiler version. Fails with `not-found` when the
   * version does not exist. Never changes the version's source or anything else.
   */
  saveCompiled(options: BundleKey & { version: number; compiled: CompiledCode } & CallOptions): Promise<void>;
  /** Replace the output statistics of one version. */
  saveStats(options: BundleKey & { version: number; stats: OutputStats } & CallOptions): Promise<void>;
  /** The latest version of each key of a workspace, ordered by key. */
  list(
    options: { workspaceId: string; prefix?: string; limit?: number; after?: string } & CallOptions,
  ): Promise<BundleSummary[]>;
  /** Delete every version of a key, and its settings. Returns whether anything was deleted. */
  delete(options: BundleKey & CallOptions): Promise<boolean>;
  /** Set the review state of one version; `not-found` when the version does not exist. */
  setStatus(options: BundleKey & { version: number; status: BundleStatus } & CallOptions): Promise<void>;
  /** The key's settings; `{ promotion: 'auto' }` when none were saved. */
  getSettings(options: BundleKey & CallOptions): Promise<BundleKeySettings>;
  /** Replace the key's settings (the key need not have versions yet). */
  saveSettings(options: BundleKey & { settings: BundleKeySettings } & CallOptions): Promise<void>;
}
