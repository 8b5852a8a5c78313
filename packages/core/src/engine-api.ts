import type {
  RunArtifact,
  RunEventEntry,
  RunOutputStats,
  RunRecord,
  StartRequest,
  StartResponse,
  TaskList,
  TaskListQuery,
  WebTaskResult,
} from '@webtasks/protocol';
import type { Bundle, BundleKeySettings, BundleSummary, PromotionPolicy } from './ports/bundle-store.js';
import type { CallOptions, JsonObject } from './ports/common.js';
import type { TaskRecord } from './ports/task-store.js';
import type { ImportedBundle } from './promotion/import-verify.js';
import type { AuthSessionAdmin } from './secrets/auth-sessions.js';
import type { SecretInfo } from './secrets/workspace-secrets.js';

/** Something that happened during a task, for live progress (CLI, logs, SSE). */
export type TaskEvent =
  | {
      type: 'status';
      webTaskId: string;
      status: 'pending' | 'started' | 'completed';
      outcome?: 'success' | 'failed';
    }
  | {
      type: 'phase';
      webTaskId: string;
      phase:
        | 'loading'
        | 'running-saved'
        | 'exploring'
        | 'repairing'
        | 'running-candidate'
        | 'validating'
        | 'saving';
      /** For `running-saved`: the version that runs. */
      version?: number;
    }
  | { type: 'attempt'; webTaskId: string; attempt: number; of: number; kind: 'explore' | 'repair' }
  | {
      type: 'agent-step';
      webTaskId: string;
      turn: number;
      tool: string;
      /** What came back, in one line. */
      summary: string;
      /** The tool's input, in one line. */
      input?: string;
      isError?: boolean;
    }
  | {
      type: 'run-result';
      webTaskId: string;
      ok: boolean;
      message: string;
      /** Saved code or a candidate; the version for saved code. */
      kind?: 'saved' | 'candidate';
      version?: number;
      /** Why it failed, with what the agent was shown. */
      error?: { kind: string; message: string; stack?: string };
      evidence?: { pageUrl?: string; logs?: string[]; outputSample?: unknown };
      /** Screenshot and HTML at a failure; the trace when asked. */
      artifacts?: RunArtifact[];
      /** Shape of a valid output. */
      output?: RunOutputStats;
    }
  | { type: 'log'; webTaskId: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'cost'; webTaskId: string; aiUsd: number; modelCalls: number }
  | {
      type: 'model-call';
      webTaskId: string;
      modelId: string;
      inputTokens: number;
      outputTokens: number;
      cacheReadTokens: number;
      cacheWriteTokens: number;
      usd: number;
      durationMs: number;
      stopReason: string;
    }
  | { type: 'saved'; webTaskId: string; reuseKey: string; version: number }
  /** The promotion gate replayed a candidate with the parameters of an earlier successful run. */
  | { type: 'replay'; webTaskId: string; params: JsonObject; ok: boolean; message: string };

/** What `events()` yields: each recorded event in order, then the final result. */
export type TaskStreamItem =
  | { type: 'event'; entry: RunEventEntry }
  | { type: 'result'; result: WebTaskResult };

/** Listener of task events. */
export type TaskEventListener = (event: TaskEvent) => void;

/**
 * The engine as apps see it: the server, the CLI and embedding products all drive webtasks
 * through this one surface. Workspace ids scope everything.
 */
export interface WebTasksEngine {
  /** Validate and accept a task; it runs in the background. Throws `invalid-request` or `workspace-rate-limited`. */
  start(options: { workspaceId: string; request: StartRequest } & CallOptions): Promise<StartResponse>;
  /** The current result object of a task; throws `not-found` (also for another workspace's id). */
  result(options: { workspaceId: string; webTaskId: string } & CallOptions): Promise<WebTaskResult>;
  /** Wait until the task completes or `timeoutMs` passes, then return its result object. */
  wait(
    options: { workspaceId: string; webTaskId: string; timeoutMs: number } & CallOptions,
  ): Promise<WebTaskResult>;
  /** Start and wait for completion (embedded use). */
  run(
    options: {
      workspaceId: string;
      request: StartRequest;
      timeoutMs?: number;
      onEvent?: TaskEventListener;
    } & CallOptions,
  ): Promise<WebTaskResult>;
  /** Subscribe to events of every task (or one task). Returns an unsubscribe function. */
  subscribe(listener: TaskEventListener, options?: { webTaskId?: string }): () => void;
  /** One page of a workspace's tasks, newest first. Throws `invalid-request` for bad filters or cursors. */
  list(options: { workspaceId: string; query?: TaskListQuery } & CallOptions): Promise<TaskList>;
  /** The run record of a task; throws `not-found` (also for another workspace's id). */
  record(options: { workspaceId: string; webTaskId: string } & CallOptions): Promise<RunRecord>;
  /**
   * The task's events from the start (or after `afterSeq`), then live ones as they happen, then
   * its final result; ends after the result or when `signal` aborts. Throws `not-found`.
   */
  events(
    options: { workspaceId: string; webTaskId: string; afterSeq?: number } & CallOptions,
  ): AsyncIterable<TaskStreamItem>;
  /**
   * Cancel a task: a pending one completes at once as failed with code `canceled`; a started
   * one is aborted (within seconds, also on another worker) and completes the same way.
   * Nothing is saved. Throws `conflict` when the task already completed, `not-found`.
   */
  cancel(options: { workspaceId: string; webTaskId: string } & CallOptions): Promise<WebTaskResult>;
  /**
   * A signed URL of one of the run's artifacts (a key its run record lists); `not-found` for
   * any other key, also another workspace's.
   */
  artifactUrl(
    options: { workspaceId: string; webTaskId: string; key: string; expiresInSeconds?: number } & CallOptions,
  ): Promise<{ url: string; expiresAt: string }>;
  /** Delete completed tasks past their workspace's retention, with their artifacts; returns how many. */
  sweepRuns(options?: CallOptions): Promise<number>;
  /** The raw task record (for tools and tests). */
  getTask(options: { workspaceId: string; webTaskId: string } & CallOptions): Promise<TaskRecord | undefined>;
  /** Start consuming the queue in this process (the worker role). */
  startWorker(options?: { concurrency?: number }): Promise<void>;
  /** Stop the worker (graceful: running tasks finish) and release resources. */
  close(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
  /** Bundle management. */
  bundles: BundleAdmin;
  /** Workspace secrets, stored sealed; listed by name only (values are never returned). */
  secrets: SecretAdmin;
  /** Auth sessions (Playwright storage states), stored sealed; a request's `auth.session` starts from one. */
  authSessions: AuthSessionAdmin;
}

/** Workspace secrets management used by the CLI and server. */
export interface SecretAdmin {
  /** Store (or replace) a secret; `invalid-config` without a secrets key. */
  set(options: { workspaceId: string; name: string; value: string } & CallOptions): Promise<SecretInfo>;
  /** Names and update times of the workspace's secrets. */
  list(options: { workspaceId: string } & CallOptions): Promise<SecretInfo[]>;
  /** Remove a secret; true when there was one. */
  delete(options: { workspaceId: string; name: string } & CallOptions): Promise<boolean>;
}

/** Bundle management used by the CLI and server. */
export interface BundleAdmin {
  list(
    options: { workspaceId: string; prefix?: string; limit?: number } & CallOptions,
  ): Promise<BundleSummary[]>;
  get(
    options: { workspaceId: string; reuseKey: string; version?: number } & CallOptions,
  ): Promise<Bundle | undefined>;
  history(
    options: { workspaceId: string; reuseKey: string; limit?: number } & CallOptions,
  ): Promise<BundleSummary[]>;
  /** A unified diff between two versions' sources. */
  diff(
    options: { workspaceId: string; reuseKey: string; from: number; to: number } & CallOptions,
  ): Promise<string>;
  /** Save a copy of `version` as the newest version. */
  rollback(
    options: { workspaceId: string; reuseKey: string; version: number } & CallOptions,
  ): Promise<Bundle>;
  /** Compile and check `source`, then save it as the newest version. */
  import(
    options: {
      workspaceId: string;
      reuseKey: string;
      source: string;
      outputSchema: unknown;
      /** JSON Schema (2020-12) of the parameters; every run is checked against it. */
      paramsSchema?: unknown;
      /** Parameters of the verification run. */
      parameters?: Record<string, unknown>;
      /**
       * Run the bundle once before saving it (default true): the import is refused when the
       * run fails or returns an empty list, and its output is the version's baseline statistics.
       */
      verify?: boolean;
      /** The bundle changes the site: never replayed, and not run to verify the import. */
      sideEffects?: boolean;
      task?: string;
      startUrl?: string;
    } & CallOptions,
  ): Promise<ImportedBundle>;
  delete(options: { workspaceId: string; reuseKey: string } & CallOptions): Promise<boolean>;
  /** The key's promotion policy and pinned version. */
  settings(options: { workspaceId: string; reuseKey: string } & CallOptions): Promise<BundleKeySettings>;
  /** `auto` (repairs go live), `review` (repairs wait for approval) or `off` (no repairs). */
  setPolicy(
    options: { workspaceId: string; reuseKey: string; policy: PromotionPolicy } & CallOptions,
  ): Promise<BundleKeySettings>;
  /** Runs use `version` whatever is saved later (and it is not repaired). */
  pin(
    options: { workspaceId: string; reuseKey: string; version: number } & CallOptions,
  ): Promise<BundleKeySettings>;
  unpin(options: { workspaceId: string; reuseKey: string } & CallOptions): Promise<BundleKeySettings>;
  /** Make a proposed version active: runs use it when it is the newest active one. */
  approve(options: { workspaceId: string; reuseKey: string; version: number } & CallOptions): Promise<Bundle>;
  /** Reject a proposed version: runs never use it. */
  reject(options: { workspaceId: string; reuseKey: string; version: number } & CallOptions): Promise<Bundle>;
  /** A standalone Playwright script (ES module) running `version` (default: the latest) without webtasks. */
  exportScript(
    options: { workspaceId: string; reuseKey: string; version?: number } & CallOptions,
  ): Promise<{ bundle: Bundle; script: string }>;
}
