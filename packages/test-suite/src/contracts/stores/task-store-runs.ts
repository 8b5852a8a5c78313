import { randomUUID } from 'node:crypto';
import type { RunRecord, TaskRecord, TaskStore } from '@webtasks/core';
import { expect } from 'vitest';
import { type ContractTestRegistrar, expectWebTasksError } from './contract-options.js';

/** A run record for `task` with one of each entry and the given artifact keys. */
export function sampleRunRecord(task: TaskRecord, artifactKeys: string[] = []): RunRecord {
  const at = new Date().toISOString();
  return {
    webTaskId: task.webTaskId,
    workspaceId: task.workspaceId,
    deliveries: 1,
    phases: [{ phase: 'loading', label: 'loading', at }],
    attempts: [
      {
        kind: 'saved',
        bundleVersion: 2,
        at,
        ok: false,
        error: { kind: 'threw', message: 'locator timed out', stack: 'at run (bundle.ts:3)' },
        evidence: { pageUrl: 'https://example.com/list', logs: ['[info] page 1'], outputSample: [{ a: 1 }] },
        artifactKeys,
      },
    ],
    bundleVersion: 2,
    logs: {
      lines: [{ at, level: 'info', message: 'page 1 of 3' }],
      bytes: 11,
      droppedLines: 0,
      truncated: false,
    },
    modelCalls: [
      {
        at,
        modelId: 'claude-haiku',
        inputTokens: 10,
        outputTokens: 5,
        cacheReadTokens: 2,
        cacheWriteTokens: 1,
        usd: 0.0001,
        durationMs: 120,
        stopReason: 'tool-use',
      },
    ],
    agentSteps: [
      { at, turn: 1, tool: 'navigate', input: 'https://example.com', result: 'ok', isError: false },
    ],
    output: { type: 'array', sizeBytes: 42, rowCount: 3, fields: ['name'] },
    artifacts: artifactKeys.map((key) => ({
      key,
      kind: 'screenshot',
      contentType: 'image/png',
      sizeBytes: 10,
    })),
    events: [{ seq: 1, at, event: { type: 'phase', phase: 'loading' } }],
    eventsDropped: 0,
    updatedAt: at,
  };
}

type SampleTask = (overrides?: Partial<TaskRecord>) => TaskRecord;

/** Contract tests of run records, list filters and pagination, and retention. */
export function registerRunRecordTests(test: ContractTestRegistrar<TaskStore>, sample: SampleTask): void {
  test('list filters by reuseKey and since, and pages with before without gaps or repeats', async (store) => {
    const workspaceId = `ws_${randomUUID()}`;
    const base = Date.parse('2030-01-01T00:00:00.000Z');
    // Pairs share a timestamp, so the position must break ties by id.
    const tasks = Array.from({ length: 7 }, (_, index) => {
      const record = sample({
        workspaceId,
        createdAt: new Date(base + Math.floor(index / 2) * 1000).toISOString(),
      });
      const reuseKey = index % 3 === 0 ? 'key.alpha' : 'key.beta';
      return {
        ...record,
        request: { ...record.request, reuseKey },
        reuse: { ...record.reuse, key: reuseKey },
      };
    });
    for (const task of tasks) await store.create({ task });
    const all = await store.list({ workspaceId });
    expect(all).toHaveLength(7);
    const pages: string[] = [];
    let before: { createdAt: string; webTaskId: string } | undefined;
    for (;;) {
      const page = await store.list({ workspaceId, limit: 2, ...(before ? { before } : {}) });
      if (page.length === 0) break;
      pages.push(...page.map((task) => task.webTaskId));
      const last = page[page.length - 1] as TaskRecord;
      before = { createdAt: last.createdAt, webTaskId: last.webTaskId };
    }
    expect(pages).toEqual(all.map((task) => task.webTaskId));
    const alpha = await store.list({ workspaceId, reuseKey: 'key.alpha' });
    expect(alpha.map((task) => task.webTaskId).sort()).toEqual(
      tasks
        .filter((_, index) => index % 3 === 0)
        .map((task) => task.webTaskId)
        .sort(),
    );
    const since = new Date(base + 2000).toISOString();
    const recent = await store.list({ workspaceId, since });
    expect(recent.map((task) => task.webTaskId).sort()).toEqual(
      tasks
        .slice(4)
        .map((task) => task.webTaskId)
        .sort(),
    );
  });

  test('putRun then getRun returns the record; a second putRun replaces it', async (store) => {
    const task = sample();
    await store.create({ task });
    expect(await store.getRun(task)).toBeUndefined();
    const run = sampleRunRecord(task, [`${task.workspaceId}/runs/${task.webTaskId}/shot-1.png`]);
    await store.putRun({ run });
    expect(await store.getRun(task)).toEqual(run);
    const replaced = {
      ...run,
      deliveries: 2,
      phases: [...run.phases, { phase: 'saving', label: 'saving', at: run.updatedAt }],
    };
    await store.putRun({ run: replaced });
    expect(await store.getRun(task)).toEqual(replaced);
  });

  test("getRun of another workspace's task is undefined; putRun for a missing task is not-found", async (store) => {
    const task = sample();
    await store.create({ task });
    await store.putRun({ run: sampleRunRecord(task) });
    expect(
      await store.getRun({ workspaceId: `ws_${randomUUID()}`, webTaskId: task.webTaskId }),
    ).toBeUndefined();
    await expectWebTasksError(
      store.putRun({ run: { ...sampleRunRecord(task), workspaceId: `ws_${randomUUID()}` } }),
      'not-found',
    );
    await expectWebTasksError(
      store.putRun({ run: { ...sampleRunRecord(task), webTaskId: `wt_${randomUUID()}` } }),
      'not-found',
    );
  });

  test('deleteCompleted removes completed tasks older than the cutoff with their runs, and reports artifact keys', async (store) => {
    const workspaceId = `ws_${randomUUID()}`;
    const other = `ws_${randomUUID()}`;
    const complete = async (task: TaskRecord, completedAt: string) => {
      await store.create({ task });
      await store.transition({
        ...task,
        from: ['pending'],
        patch: { status: 'completed', outcome: 'success', completedAt },
      });
    };
    const old = sample({ workspaceId });
    const older = sample({ workspaceId });
    const recent = sample({ workspaceId });
    const pending = sample({ workspaceId });
    const foreign = sample({ workspaceId: other });
    await complete(old, '2000-01-02T00:00:00.000Z');
    await complete(older, '2000-01-01T00:00:00.000Z');
    await complete(recent, '2000-06-01T00:00:00.000Z');
    await complete(foreign, '2000-01-01T00:00:00.000Z');
    await store.create({ task: pending });
    const key = `${workspaceId}/runs/${old.webTaskId}/failure-1.html`;
    await store.putRun({ run: sampleRunRecord(old, [key]) });

    const first = await store.deleteCompleted({
      completedBefore: '2000-03-01T00:00:00.000Z',
      workspaceId,
      limit: 1,
    });
    expect(first).toEqual([{ workspaceId, webTaskId: older.webTaskId, artifactKeys: [] }]);
    const rest = await store.deleteCompleted({ completedBefore: '2000-03-01T00:00:00.000Z', workspaceId });
    expect(rest).toEqual([{ workspaceId, webTaskId: old.webTaskId, artifactKeys: [key] }]);
    expect(await store.get(old)).toBeUndefined();
    expect(await store.getRun(old)).toBeUndefined();
    expect(await store.get(recent)).toBeDefined();
    expect(await store.get(pending)).toBeDefined();
    expect(await store.get(foreign)).toBeDefined();

    const everywhere = await store.deleteCompleted({
      completedBefore: '2000-03-01T00:00:00.000Z',
      exceptWorkspaces: [workspaceId],
    });
    expect(everywhere.map((task) => task.webTaskId)).toContain(foreign.webTaskId);
    expect(await store.get(foreign)).toBeUndefined();
    expect(await store.get(recent)).toBeDefined();
  });

  test('listWebhooksDue lists owed, due webhooks of completed tasks, the longest due first', async (store) => {
    expect(typeof store.listWebhooksDue).toBe('function');
    const list = store.listWebhooksDue as NonNullable<TaskStore['listWebhooksDue']>;
    // Due times far in the past, so these come first whatever else the store holds.
    const at = (second: number) => new Date(Date.UTC(2001, 0, 1, 0, 0, second)).toISOString();
    const webhook = (change: Partial<NonNullable<RunRecord['webhook']>> = {}) => ({
      url: 'https://hooks.example/in',
      deliveries: [],
      delivered: false,
      ...change,
    });
    const [fresh, retry, later, done, given, running] = Array.from({ length: 6 }, () => sample());
    const cases: Array<[TaskRecord, NonNullable<RunRecord['webhook']>, boolean]> = [
      [fresh as TaskRecord, webhook(), true],
      [retry as TaskRecord, webhook({ nextAttemptAt: at(5) }), true],
      [later as TaskRecord, webhook({ nextAttemptAt: '2999-01-01T00:00:00.000Z' }), true],
      [done as TaskRecord, webhook({ delivered: true }), true],
      [given as TaskRecord, webhook({ gaveUp: true, nextAttemptAt: at(1) }), true],
      [running as TaskRecord, webhook(), false],
    ];
    for (const [task, state, completed] of cases) {
      await store.create({ task });
      if (completed)
        await store.transition({
          ...task,
          from: ['pending'],
          patch: { status: 'completed', outcome: 'success' },
        });
      await store.putRun({ run: { ...sampleRunRecord(task), webhook: state } });
    }
    const mine = new Set(cases.map(([task]) => task.webTaskId));
    const due = (await list({ dueBefore: at(10), limit: 10_000 })).filter((run) => mine.has(run.webTaskId));
    // No `nextAttemptAt` (never tried) sorts before any time.
    expect(due.map((run) => run.webTaskId)).toEqual([fresh?.webTaskId, retry?.webTaskId]);
    expect(due[1]?.webhook).toEqual(cases[1]?.[1]);
    const early = (await list({ dueBefore: at(4), limit: 10_000 })).filter((run) => mine.has(run.webTaskId));
    expect(early.map((run) => run.webTaskId)).toEqual([fresh?.webTaskId]);
    // Delivered: no longer listed.
    await store.putRun({
      run: { ...sampleRunRecord(fresh as TaskRecord), webhook: webhook({ delivered: true }) },
    });
    const after = (await list({ dueBefore: at(10), limit: 10_000 })).filter((run) => mine.has(run.webTaskId));
    expect(after.map((run) => run.webTaskId)).toEqual([retry?.webTaskId]);
  });

  test('claimWebhook gives an owed, due webhook to one owner at a time until released or expired', async (store) => {
    expect(typeof store.claimWebhook).toBe('function');
    expect(typeof store.releaseWebhook).toBe('function');
    const claim = (store.claimWebhook as NonNullable<TaskStore['claimWebhook']>).bind(store);
    const release = (store.releaseWebhook as NonNullable<TaskStore['releaseWebhook']>).bind(store);
    const [owed, later, done, running] = Array.from({ length: 4 }, () => sample());
    const hook = (change: Partial<NonNullable<RunRecord['webhook']>> = {}) => ({
      url: 'https://hooks.example/in',
      deliveries: [],
      delivered: false,
      ...change,
    });
    const cases: Array<[TaskRecord, NonNullable<RunRecord['webhook']>, boolean]> = [
      [owed as TaskRecord, hook(), true],
      [later as TaskRecord, hook({ nextAttemptAt: '2999-01-01T00:00:00.000Z' }), true],
      [done as TaskRecord, hook({ delivered: true }), true],
      [running as TaskRecord, hook(), false],
    ];
    for (const [task, state, completed] of cases) {
      await store.create({ task });
      if (completed)
        await store.transition({
          ...task,
          from: ['pending'],
          patch: { status: 'completed', outcome: 'success' },
        });
      await store.putRun({ run: { ...sampleRunRecord(task), webhook: state } });
    }
    const now = new Date().toISOString();
    const ask = (task: TaskRecord | undefined, owner: string, leaseMs = 60_000) =>
      claim({
        workspaceId: task?.workspaceId ?? '',
        webTaskId: task?.webTaskId ?? '',
        owner,
        leaseMs,
        dueBefore: now,
      });
    // Ten owners at once: exactly one gets it, with the run record.
    const racing = await Promise.all(Array.from({ length: 10 }, (_, index) => ask(owed, `owner-${index}`)));
    const winners = racing.flatMap((run, index) => (run ? [index] : []));
    expect(winners).toHaveLength(1);
    expect(racing[winners[0] as number]?.webhook).toEqual(cases[0]?.[1]);
    const holder = `owner-${winners[0]}`;
    // Held: nobody else, not the holder again either (one attempt per claim).
    expect(await ask(owed, 'late-owner')).toBeUndefined();
    // Another owner's release does nothing; the holder's frees it.
    await release({
      workspaceId: owed?.workspaceId ?? '',
      webTaskId: owed?.webTaskId ?? '',
      owner: 'late-owner',
    });
    expect(await ask(owed, 'late-owner')).toBeUndefined();
    await release({ workspaceId: owed?.workspaceId ?? '', webTaskId: owed?.webTaskId ?? '', owner: holder });
    expect((await ask(owed, 'late-owner', 50))?.webTaskId).toBe(owed?.webTaskId);
    // A lease that ran out (its holder died) can be claimed again.
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect((await ask(owed, 'survivor'))?.webTaskId).toBe(owed?.webTaskId);
    // Not due, delivered, or of a task still running: no claim. Another workspace's id: none.
    expect(await ask(later, 'a')).toBeUndefined();
    expect(await ask(done, 'a')).toBeUndefined();
    expect(await ask(running, 'a')).toBeUndefined();
    expect(
      await claim({
        workspaceId: 'ws_elsewhere',
        webTaskId: later?.webTaskId ?? '',
        owner: 'a',
        leaseMs: 1,
        dueBefore: '3000-01-01T00:00:00.000Z',
      }),
    ).toBeUndefined();
    // Writing the record (an attempt's outcome) keeps the claim.
    await store.putRun({
      run: { ...sampleRunRecord(owed as TaskRecord), webhook: hook({ nextAttemptAt: now }) },
    });
    expect(await ask(owed, 'someone-else')).toBeUndefined();
  });
}
