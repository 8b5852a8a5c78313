import type { StartRequest, StartResponse, WebTaskResult } from '@webtasks/protocol';
import type { Bundle, BundleSummary } from './ports/bundle-store.js';
import type { CallOptions } from './ports/common.js';
import type { TaskRecord } from './ports/task-store.js';

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
    }
  | { type: 'attempt'; webTaskId: string; attempt: number; of: number; kind: 'explore' | 'repair' }
  | { type: 'agent-step'; webTaskId: string; turn: number; tool: string; summary: string }
  | { type: 'run-result'; webTaskId: string; ok: boolean; message: string }
  | { type: 'log'; webTaskId: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'cost'; webTaskId: string; aiUsd: number; modelCalls: number }
  | { type: 'saved'; webTaskId: string; reuseKey: string; version: number };

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
  /** The raw task record (for tools and tests). */
  getTask(options: { workspaceId: string; webTaskId: string } & CallOptions): Promise<TaskRecord | undefined>;
  /** Start consuming the queue in this process (the worker role). */
  startWorker(options?: { concurrency?: number }): Promise<void>;
  /** Stop the worker (graceful: running tasks finish) and release resources. */
  close(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
  /** Bundle management. */
  bundles: BundleAdmin;
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
      task?: string;
      startUrl?: string;
    } & CallOptions,
  ): Promise<Bundle>;
  delete(options: { workspaceId: string; reuseKey: string } & CallOptions): Promise<boolean>;
}
