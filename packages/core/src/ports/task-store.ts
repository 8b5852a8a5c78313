import type { Cost, ReuseInfo, TaskError, TaskResultPayload, TaskStatus } from '@webtasks/protocol';

/** One error behind a failed task (`TaskError.causes`). */
export type TaskErrorCause = NonNullable<TaskError['causes']>[number];

import type { CallOptions, JsonObject, JsonSchema } from './common.js';
import type { RunRecord } from './run-record.js';

/** The normalised request a task was started with. */
export interface TaskRequest {
  task: string;
  startUrl?: string;
  parameters: JsonObject;
  outputSchema?: JsonSchema;
  reuseKey: string;
  /** True when the engine generated `reuseKey`. */
  reuseKeyGenerated: boolean;
  model: 'haiku' | 'sonnet' | 'opus';
  /** Debug options: `trace` keeps the run's Playwright trace as an artifact. */
  debug?: { trace?: boolean };
  /**
   * The upstream proxy, without its password (never stored): `hasPassword` says one was
   * given; the engine that accepted the task holds it in memory until the task completes.
   */
  proxy?: { server: string; username?: string; hasPassword?: boolean };
  /** The auth session the task's browser starts from (cookies refreshed by a successful run are saved back). */
  auth?: { session: string };
  /** Names of the request's secrets (their values are never stored in clear). */
  secretNames?: string[];
  /** The request's secrets sealed with the engine's secrets key (AES-256-GCM), when one is set. */
  sealedSecrets?: string;
  /**
   * True for tasks that change the site (submit, buy): once a worker started the task it is
   * never delivered to another one; if that worker dies the task fails instead of re-running.
   * The promotion gate never replays it either.
   */
  sideEffects?: boolean;
}

/** A web task as stored. */
export interface TaskRecord {
  webTaskId: string;
  workspaceId: string;
  request: TaskRequest;
  status: TaskStatus;
  /** Set when `status` is `completed`. */
  outcome?: 'success' | 'failed';
  result?: TaskResultPayload;
  error?: TaskError;
  reuse: ReuseInfo;
  cost?: Cost;
  /** The bundle version that produced the result (or that was saved). */
  bundleVersion?: number;
  /** How many times a worker has started this task (redeliveries count). */
  attempts: number;
  /** ISO timestamps. */
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  /** Who holds the task while `started` (a worker id), for recovery. */
  workerId?: string;
  /**
   * While `started`: when the worker's hold on the task lapses unless renewed (ISO). The worker
   * renews it while the task runs; a started task past it is delivered again by the reconciler.
   */
  leaseExpiresAt?: string;
}

/** Fields a transition may change. */
export type TaskPatch = Partial<
  Pick<
    TaskRecord,
    | 'status'
    | 'outcome'
    | 'result'
    | 'error'
    | 'reuse'
    | 'cost'
    | 'bundleVersion'
    | 'attempts'
    | 'startedAt'
    | 'completedAt'
    | 'workerId'
    | 'leaseExpiresAt'
  >
>;

/**
 * Task records and their state transitions. `transition` checks the current status
 * against `from` atomically and fails with a `conflict` WebTasksError otherwise, so two
 * workers can never both start or both complete a task.
 */
export interface TaskStore {
  readonly specificationVersion: 'v1';
  /**
   * Insert a new record; `conflict` if the id exists. With `maxPending`, refuse with
   * `workspace-rate-limited` when the workspace already has that many `pending` tasks,
   * checked atomically with the insert: concurrent creates never go past it.
   */
  create(options: { task: TaskRecord; maxPending?: number } & CallOptions): Promise<void>;
  /** One record of one workspace, or undefined (also for another workspace's id). */
  get(options: { workspaceId: string; webTaskId: string } & CallOptions): Promise<TaskRecord | undefined>;
  /** Apply `patch` if the status is one of `from`; returns the updated record. */
  transition(
    options: {
      workspaceId: string;
      webTaskId: string;
      from: TaskStatus[];
      patch: TaskPatch;
    } & CallOptions,
  ): Promise<TaskRecord>;
  /**
   * Records of a workspace, newest first (by `createdAt`, then `webTaskId`, both descending).
   * Filters combine: `status`, `reuseKey`, `since` (created at or after), and `before`, a
   * keyset position: only records strictly older than it in that order (for pagination).
   */
  list(
    options: {
      workspaceId: string;
      status?: TaskStatus;
      reuseKey?: string;
      /** ISO timestamp. */
      since?: string;
      before?: TaskPosition;
      limit?: number;
    } & CallOptions,
  ): Promise<TaskRecord[]>;
  /** How many tasks of a workspace are in each status. */
  countByStatus(options: { workspaceId: string } & CallOptions): Promise<Record<TaskStatus, number>>;
  /**
   * The `pending` and `started` tasks of every workspace, oldest first (`createdAt`, then
   * `webTaskId`), at most `limit` (default 10,000). The engine's reconciler reads it to find
   * tasks the queue lost. Optional: without it, no reconciliation happens.
   */
  listUnfinished?(options: { limit?: number } & CallOptions): Promise<TaskRecord[]>;
  /**
   * Store the run record of a task, replacing the previous one. `not-found` when the task
   * does not exist in `run.workspaceId`.
   */
  putRun(options: { run: RunRecord } & CallOptions): Promise<void>;
  /** The run record of a task, or undefined (also for another workspace's id). */
  getRun(options: { workspaceId: string; webTaskId: string } & CallOptions): Promise<RunRecord | undefined>;
  /**
   * Run records whose webhook is owed (`webhook` present, neither `delivered` nor `gaveUp`)
   * and due (`webhook.nextAttemptAt` absent, or at or before `dueBefore`), of completed tasks
   * in every workspace, the longest due first, at most `limit` (default 100). Workers sweep it
   * to deliver webhooks, which resumes retries after a restart. Optional: without it, retries
   * live only in the memory of the process that ran the task.
   */
  listWebhooksDue?(options: { dueBefore: string; limit?: number } & CallOptions): Promise<RunRecord[]>;
  /**
   * Claim a task's owed webhook for one delivery attempt, so that exactly one process sends it
   * however many sweep: atomically, and only when the webhook is owed and due at `dueBefore`
   * (as `listWebhooksDue` says), its task completed, and no other claim's lease is running. The
   * lease ends `leaseMs` after the claim, by the store's clock, or at `releaseWebhook`; a process
   * that dies holding one delays the webhook by `leaseMs` at most. Returns the run record, or
   * undefined when this caller is not to send the webhook now. Optional: without it, the engine
   * keeps two processes apart with its lock manager (which must then be shared by them).
   */
  claimWebhook?(
    options: {
      workspaceId: string;
      webTaskId: string;
      owner: string;
      leaseMs: number;
      dueBefore: string;
    } & CallOptions,
  ): Promise<RunRecord | undefined>;
  /** End `owner`'s claim on a task's webhook; nothing when the claim is not (or no longer) its. */
  releaseWebhook?(
    options: { workspaceId: string; webTaskId: string; owner: string } & CallOptions,
  ): Promise<void>;
  /**
   * Delete completed tasks (and their run records) whose `completedAt` is before
   * `completedBefore`, oldest first, at most `limit` (default 500). Scoped to `workspaceId`,
   * or to every workspace except `exceptWorkspaces` when it is absent. Returns what was
   * deleted with the artifact keys of each run, so the caller can delete the blobs. The
   * engine's retention sweep (`runs/retention.ts`) is its only caller.
   */
  deleteCompleted(
    options: {
      completedBefore: string;
      workspaceId?: string;
      exceptWorkspaces?: string[];
      limit?: number;
    } & CallOptions,
  ): Promise<DeletedTask[]>;
}

/** A position in the newest-first order of `list`. */
export interface TaskPosition {
  createdAt: string;
  webTaskId: string;
}

/** A task removed by `deleteCompleted`. */
export interface DeletedTask {
  workspaceId: string;
  webTaskId: string;
  /** Blob keys the run record listed (screenshots, HTML, traces). */
  artifactKeys: string[];
}
