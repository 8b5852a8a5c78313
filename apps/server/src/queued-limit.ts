import type { WebTasksEngine } from '@webtasks/core';
import { HttpError, RATE_LIMIT_RETRY_AFTER_SECONDS } from './http-errors.js';

/**
 * Caps how many tasks started through this server may wait as `pending` per workspace.
 *
 * The server remembers the tasks it started and forgets them when the engine reports them
 * `started` or `completed`. Events may not reach this process (workers elsewhere), so when a
 * workspace looks full the limiter asks the engine for the current status of what it
 * remembers before refusing: the count can be stale, but never stuck.
 */
export class QueuedTaskLimit {
  readonly #engine: WebTasksEngine;
  readonly #max: number;
  /** workspaceId → ids of tasks believed pending. */
  readonly #pending = new Map<string, Set<string>>();
  /** Starts admitted but not yet answered by the engine, per workspace. */
  readonly #reserved = new Map<string, number>();
  readonly #workspaceOf = new Map<string, string>();
  readonly #unsubscribe: () => void;

  constructor(engine: WebTasksEngine, max: number) {
    this.#engine = engine;
    this.#max = max;
    this.#unsubscribe = engine.subscribe((event) => {
      if (event.type === 'status' && event.status !== 'pending') this.#forget(event.webTaskId);
    });
  }

  /**
   * Reserve a slot for a start in `workspaceId`; throws 429 `workspace-rate-limited` when the
   * workspace already has the maximum number of pending tasks. Call `release` with the new
   * task id (or undefined when the start failed) once the engine answered.
   */
  async admit(workspaceId: string): Promise<void> {
    if (this.#count(workspaceId) >= this.#max) await this.#refresh(workspaceId);
    if (this.#count(workspaceId) >= this.#max) {
      throw new HttpError({
        statusCode: 429,
        code: 'workspace-rate-limited',
        message: `This workspace already has ${this.#max} tasks waiting to run: wait for some to complete, then start more.`,
        headers: { 'retry-after': String(RATE_LIMIT_RETRY_AFTER_SECONDS) },
      });
    }
    this.#reserved.set(workspaceId, (this.#reserved.get(workspaceId) ?? 0) + 1);
  }

  /** End a reservation; `webTaskId` is the task the engine accepted, if any. */
  release(workspaceId: string, webTaskId: string | undefined): void {
    const reserved = (this.#reserved.get(workspaceId) ?? 1) - 1;
    if (reserved <= 0) this.#reserved.delete(workspaceId);
    else this.#reserved.set(workspaceId, reserved);
    if (webTaskId === undefined) return;
    const set = this.#pending.get(workspaceId) ?? new Set<string>();
    set.add(webTaskId);
    this.#pending.set(workspaceId, set);
    this.#workspaceOf.set(webTaskId, workspaceId);
  }

  /** Stop listening to the engine. */
  close(): void {
    this.#unsubscribe();
  }

  #count(workspaceId: string): number {
    return (this.#pending.get(workspaceId)?.size ?? 0) + (this.#reserved.get(workspaceId) ?? 0);
  }

  #forget(webTaskId: string): void {
    const workspaceId = this.#workspaceOf.get(webTaskId);
    if (workspaceId === undefined) return;
    this.#workspaceOf.delete(webTaskId);
    const set = this.#pending.get(workspaceId);
    set?.delete(webTaskId);
    if (set?.size === 0) this.#pending.delete(workspaceId);
  }

  async #refresh(workspaceId: string): Promise<void> {
    const ids = [...(this.#pending.get(workspaceId) ?? [])];
    await Promise.all(
      ids.map(async (webTaskId) => {
        try {
          const result = await this.#engine.result({ workspaceId, webTaskId });
          if (result.status !== 'pending') this.#forget(webTaskId);
        } catch {
          // Gone (or the store failed): do not let an unknown task hold a slot forever.
          this.#forget(webTaskId);
        }
      }),
    );
  }
}
