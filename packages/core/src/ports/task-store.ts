import type { Cost, ReuseInfo, TaskError, TaskResultPayload, TaskStatus } from '@webtasks/protocol';
import type { CallOptions, JsonObject, JsonSchema } from './common.js';

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
  >
>;

/**
 * Task records and their state transitions. `transition` checks the current status
 * against `from` atomically and fails with a `conflict` WebtasksError otherwise, so two
 * workers can never both start or both complete a task.
 */
export interface TaskStore {
  readonly specificationVersion: 'v1';
  /** Insert a new record; `conflict` if the id exists. */
  create(options: { task: TaskRecord } & CallOptions): Promise<void>;
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
  /** Records of a workspace, newest first. */
  list(
    options: { workspaceId: string; status?: TaskStatus; limit?: number } & CallOptions,
  ): Promise<TaskRecord[]>;
  /** How many tasks of a workspace are in each status. */
  countByStatus(options: { workspaceId: string } & CallOptions): Promise<Record<TaskStatus, number>>;
}
