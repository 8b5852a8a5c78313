import type { RunRecord, RunWebhook } from '@webtasks/protocol';
import type { EgressGuard } from '../egress/egress-guard.js';
import { toWebTaskResult } from '../engine/results.js';
import type { Clock, Logger } from '../ports/clock.js';
import type { Lease, LockManager } from '../ports/lock-manager.js';
import type { TaskStore } from '../ports/task-store.js';
import type { RunRecorder } from '../runs/run-recorder.js';
import { perWorkspace, type WebhookOptions } from './webhook-options.js';
import { DEFAULT_WEBHOOK_RETRY, nextWebhookAttemptAt, type WebhookRetryPolicy } from './webhook-schedule.js';
import { postWebhook } from './webhook-sender.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.js';

/** What the dispatcher reads and writes. */
export interface WebhookDispatcherDeps {
  tasks: TaskStore;
  recorder: RunRecorder;
  locks: LockManager;
  clock: Clock;
  logger: Logger;
  guard: EgressGuard;
  settings: WebhookOptions;
  /** Who claims deliveries in the task store (the engine's worker id: unique per process). */
  owner: string;
}

/** Delivers the webhooks of completed tasks, and tries failed ones again on schedule. */
export interface WebhookDispatcher {
  /** Deliver a task's webhook now if it is owed and due (after the task settled). */
  deliver(workspaceId: string, webTaskId: string): Promise<void>;
  /** Deliver every webhook the task store says is due. Returns how many were attempted. */
  sweep(): Promise<number>;
  /** Sweep now, then every `pollIntervalMs`. */
  start(): void;
  /** Stop the timers; resolves when the attempts in progress ended. */
  stop(): Promise<void>;
}

/** True while a webhook is still to be delivered. */
export function webhookOwed(webhook: RunWebhook | undefined): webhook is RunWebhook {
  return webhook !== undefined && !webhook.delivered && webhook.gaveUp !== true;
}

const SWEEP_BATCH = 100;
const PARALLEL = 8;

/**
 * Durable webhook delivery. The state lives in the run record (`webhook`): written at start,
 * updated after every attempt with its time, status or error and duration, and the time of the
 * next attempt. A process delivers right after a task settles and retries on an in-process
 * timer; every process (API-only ones too) also sweeps the store (`listWebhooksDue`), which
 * resumes deliveries after a restart or a crash. Each attempt is claimed first: in the task
 * store when it can (`claimWebhook`, a lease on the run's row), else with a lock per task
 * (`webhook:<ws>:<id>`, not waited for); either keeps two processes from sending the same attempt.
 */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps): WebhookDispatcher {
  const { tasks, clock, logger, settings } = deps;
  const retry: WebhookRetryPolicy = { ...DEFAULT_WEBHOOK_RETRY, ...settings.retry };
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const pollMs = settings.pollIntervalMs ?? 5_000;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const inFlight = new Set<Promise<unknown>>();
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  let warnedUnsupported = false;

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  const scheduleRetry = (workspaceId: string, webTaskId: string, at: number) => {
    if (stopped) return;
    clearTimeout(timers.get(webTaskId));
    const timer = setTimeout(
      () => {
        timers.delete(webTaskId);
        void deliver(workspaceId, webTaskId);
      },
      Math.max(0, at - clock.now()),
    );
    timer.unref?.();
    timers.set(webTaskId, timer);
  };

  const attempt = async (run: RunRecord, webhook: RunWebhook): Promise<void> => {
    const { workspaceId, webTaskId } = run;
    const task = await tasks.get({ workspaceId, webTaskId });
    if (task?.status !== 'completed') return;
    const startedAt = clock.now();
    const number = webhook.deliveries.length + 1;
    const secret = perWorkspace(settings.secret, workspaceId);
    let outcome: { ok: boolean; status?: number; error?: string };
    if (secret === undefined) {
      outcome = { ok: false, error: `no webhook secret is configured for workspace ${workspaceId}` };
    } else {
      const body = JSON.stringify(toWebTaskResult(task));
      outcome = await postWebhook({
        url: webhook.url,
        body,
        guard: deps.guard,
        timeoutMs,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'webtasks-webhook/1',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook({ secret, body, timestampSeconds: clock.now() / 1000 }),
          'webtasks-webhook-id': webTaskId,
          'webtasks-delivery-attempt': String(number),
        },
      });
    }
    const endedAt = clock.now();
    let nextAt: number | undefined;
    await deps.recorder.update(workspaceId, webTaskId, (record) => {
      const state: RunWebhook = record.webhook ?? { ...webhook, deliveries: [] };
      state.deliveries.push({
        at: new Date(startedAt).toISOString(),
        attempt: state.deliveries.length + 1,
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
        ...(outcome.error !== undefined ? { error: outcome.error } : {}),
        durationMs: endedAt - startedAt,
        ok: outcome.ok,
      });
      delete state.nextAttemptAt;
      if (outcome.ok) {
        state.delivered = true;
      } else {
        const first = Date.parse(state.deliveries[0]?.at ?? new Date(startedAt).toISOString());
        nextAt = nextWebhookAttemptAt({
          firstAttemptAt: first,
          failures: state.deliveries.length,
          now: endedAt,
          policy: retry,
        });
        if (nextAt === undefined) state.gaveUp = true;
        else state.nextAttemptAt = new Date(nextAt).toISOString();
      }
      record.webhook = state;
    });
    if (outcome.ok) {
      logger.info('webhook delivered', { webTaskId, attempt: number, status: outcome.status });
    } else if (nextAt === undefined) {
      logger.warn('webhook given up after its retry period', { webTaskId, attempts: number });
    } else {
      logger.info('webhook delivery failed; trying again later', {
        webTaskId,
        attempt: number,
        status: outcome.status,
        error: outcome.error,
        nextAttemptAt: new Date(nextAt).toISOString(),
      });
      scheduleRetry(workspaceId, webTaskId, nextAt);
    }
  };

  const leaseMs = timeoutMs + 30_000;

  /** Keep an in-process timer for an owed webhook that is not due yet. */
  const scheduleIfLater = (run: RunRecord | undefined) => {
    const webhook = run?.webhook;
    if (!run || !webhookOwed(webhook) || webhook.nextAttemptAt === undefined) return;
    const dueAt = Date.parse(webhook.nextAttemptAt);
    if (dueAt > clock.now()) scheduleRetry(run.workspaceId, run.webTaskId, dueAt);
  };

  /** This process's right to make the next attempt, with the run as read under it; or undefined. */
  const claim = async (
    workspaceId: string,
    webTaskId: string,
  ): Promise<{ run: RunRecord & { webhook: RunWebhook }; release: () => Promise<void> } | undefined> => {
    const { claimWebhook, releaseWebhook } = tasks;
    if (claimWebhook && releaseWebhook) {
      const run = await claimWebhook.call(tasks, {
        workspaceId,
        webTaskId,
        owner: deps.owner,
        leaseMs,
        dueBefore: new Date(clock.now()).toISOString(),
      });
      if (!run || !webhookOwed(run.webhook)) {
        if (!run) scheduleIfLater(await tasks.getRun({ workspaceId, webTaskId }));
        return undefined;
      }
      return {
        run: run as RunRecord & { webhook: RunWebhook },
        release: () => releaseWebhook.call(tasks, { workspaceId, webTaskId, owner: deps.owner }),
      };
    }
    let lease: Lease;
    try {
      lease = await deps.locks.acquire({
        name: `webhook:${workspaceId}:${webTaskId}`,
        ttlMs: leaseMs,
        waitMs: 0,
      });
    } catch {
      return undefined; // another process is delivering it
    }
    const release = () => deps.locks.release({ lease });
    try {
      // Read again under the lock: another process may have delivered it meanwhile.
      const run = await tasks.getRun({ workspaceId, webTaskId });
      const webhook = run?.webhook;
      const dueAt = webhook?.nextAttemptAt === undefined ? 0 : Date.parse(webhook.nextAttemptAt);
      if (!run || !webhookOwed(webhook) || dueAt > clock.now()) {
        scheduleIfLater(run);
        await release();
        return undefined;
      }
      return { run: run as RunRecord & { webhook: RunWebhook }, release };
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    }
  };

  const deliverNow = async (workspaceId: string, webTaskId: string): Promise<boolean> => {
    const claimed = await claim(workspaceId, webTaskId);
    if (!claimed) return false;
    try {
      await attempt(claimed.run, claimed.run.webhook);
      return true;
    } finally {
      await claimed.release().catch(() => undefined);
    }
  };

  const deliver = (workspaceId: string, webTaskId: string): Promise<void> => {
    if (stopped) return Promise.resolve();
    return track(
      deliverNow(workspaceId, webTaskId).then(
        () => undefined,
        (error: unknown) => logger.warn('webhook delivery failed', { webTaskId, error: String(error) }),
      ),
    );
  };

  let sweeping: Promise<number> | undefined;
  const sweepOnce = async (): Promise<number> => {
    if (!tasks.listWebhooksDue) {
      if (!warnedUnsupported) {
        warnedUnsupported = true;
        logger.warn(
          'the task store cannot list due webhooks (listWebhooksDue missing): retries do not survive a restart',
        );
      }
      return 0;
    }
    const due = await tasks.listWebhooksDue({
      dueBefore: new Date(clock.now()).toISOString(),
      limit: SWEEP_BATCH,
    });
    let attempted = 0;
    const queue = [...due];
    const lanes = Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
      for (let run = queue.shift(); run && !stopped; run = queue.shift()) {
        if (await deliverNow(run.workspaceId, run.webTaskId).catch(() => false)) attempted += 1;
      }
    });
    await Promise.all(lanes);
    return attempted;
  };

  const sweep = (): Promise<number> => {
    sweeping ??= track(sweepOnce()).finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  };

  const sweepLogged = () =>
    void sweep().catch((error: unknown) =>
      logger.warn('the webhook sweep failed; the next one tries again', { error: String(error) }),
    );

  return {
    deliver,
    sweep,
    start() {
      if (pollTimer || stopped) return;
      sweepLogged();
      pollTimer = setInterval(sweepLogged, pollMs);
      pollTimer.unref?.();
    },
    async stop() {
      stopped = true;
      if (pollTimer) clearInterval(pollTimer);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all([...inFlight].map((work) => work.catch(() => undefined)));
    },
  };
}
