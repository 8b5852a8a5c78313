import { describe, expect, it } from 'vitest';
import {
  type BundleRef,
  type Candidate,
  type FailureEvidence,
  INITIAL_STATE,
  type ReuseBudget,
  type ReuseEvent,
  type ReuseState,
  transition,
} from './state-machine.js';

const budget: ReuseBudget = { maxExploreAttempts: 3, maxRepairAttempts: 2 };
const v1: BundleRef = { version: 1, source: 'v1 source', outputSchema: { type: 'array' } };
const candidate: Candidate = { source: 'new source', outputSchema: { type: 'array' } };
const evidence: FailureEvidence = { kind: 'threw', message: 'locator .row timed out' };

/** Feed events in order, returning every intermediate transition. */
function play(events: ReuseEvent[], from: ReuseState = INITIAL_STATE, b = budget) {
  const steps = [];
  let state = from;
  for (const event of events) {
    const step = transition(state, event, b);
    steps.push(step);
    state = step.state;
  }
  return { steps, state };
}

describe('reuse state machine', () => {
  it('explores when no bundle exists and saves version 1 with created flags', () => {
    const { steps, state } = play([
      { type: 'leased' },
      { type: 'bundle-loaded', bundle: undefined },
      { type: 'candidate', candidate },
      { type: 'run-valid', output: [1, 2] },
      { type: 'saved', version: 1 },
    ]);
    expect(steps.map((s) => s.effect?.type)).toEqual(['load-bundle', 'author', 'run', 'save', undefined]);
    expect(steps[1]?.effect).toEqual({ type: 'author', mode: 'explore', attempt: 1 });
    expect(steps[3]?.effect).toMatchObject({ type: 'save', expectedVersion: 0, mode: 'explore' });
    expect(state).toMatchObject({
      name: 'succeeded',
      output: [1, 2],
      version: 1,
      savedVersion: 1,
      flags: { used: false, created: true, updated: true },
    });
  });

  it('reuses a valid saved bundle without authoring anything', () => {
    const { steps, state } = play([
      { type: 'leased' },
      { type: 'bundle-loaded', bundle: v1 },
      { type: 'run-valid', output: { ok: true } },
    ]);
    expect(steps.map((s) => s.effect?.type)).toEqual(['load-bundle', 'run', undefined]);
    expect(steps[1]?.effect).toEqual({ type: 'run', code: v1, saved: true });
    expect(steps.some((s) => s.effect?.type === 'author')).toBe(false);
    expect(state).toMatchObject({
      name: 'succeeded',
      version: 1,
      flags: { used: true, created: false, updated: false },
    });
    expect(state).not.toHaveProperty('savedVersion');
  });

  it('repairs saved code that fails, starting from the old code and the evidence, and saves v2', () => {
    const { steps, state } = play([
      { type: 'leased' },
      { type: 'bundle-loaded', bundle: v1 },
      { type: 'run-invalid', evidence },
      { type: 'candidate', candidate },
      { type: 'run-valid', output: [] },
      { type: 'saved', version: 2 },
    ]);
    expect(steps[2]?.effect).toEqual({ type: 'author', mode: 'repair', attempt: 1, base: v1, evidence });
    expect(steps[4]?.effect).toEqual({
      type: 'save',
      candidate,
      expectedVersion: 1,
      mode: 'repair',
      parentVersion: 1,
    });
    expect(state).toMatchObject({
      name: 'succeeded',
      version: 2,
      flags: { used: true, created: false, updated: true },
    });
  });

  it('fails after the repair budget with every reuse flag false and no save effect', () => {
    const { steps, state } = play([
      { type: 'leased' },
      { type: 'bundle-loaded', bundle: v1 },
      { type: 'run-invalid', evidence },
      { type: 'candidate', candidate },
      { type: 'run-invalid', evidence: { kind: 'drift', message: 'zero rows, used to be 300' } },
      { type: 'candidate', candidate },
      { type: 'run-invalid', evidence: { kind: 'threw', message: 'still broken' } },
    ]);
    expect(steps.map((s) => s.effect?.type)).toEqual([
      'load-bundle',
      'run',
      'author',
      'run',
      'author',
      'run',
      undefined,
    ]);
    expect(steps[4]?.effect).toMatchObject({ type: 'author', mode: 'repair', attempt: 2 });
    expect(steps.some((s) => s.effect?.type === 'save')).toBe(false);
    expect(state).toEqual({
      name: 'failed',
      code: 'rejected',
      message: expect.stringContaining(
        'could not repair the saved code in 2 attempts. Last error: still broken',
      ),
    });
  });

  it('stops exploring after the explore budget', () => {
    const events: ReuseEvent[] = [{ type: 'leased' }, { type: 'bundle-loaded', bundle: undefined }];
    for (let i = 0; i < 3; i += 1) {
      events.push({ type: 'candidate', candidate }, { type: 'run-invalid', evidence });
    }
    const { state, steps } = play(events);
    expect(steps.filter((s) => s.effect?.type === 'author').map((s) => s.effect)).toEqual([
      { type: 'author', mode: 'explore', attempt: 1 },
      expect.objectContaining({ attempt: 2, evidence }),
      expect.objectContaining({ attempt: 3, evidence }),
    ]);
    expect(state).toMatchObject({ name: 'failed', code: 'rejected' });
  });

  it('fails without repairing when repairs are disabled', () => {
    const { state } = play(
      [{ type: 'leased' }, { type: 'bundle-loaded', bundle: v1 }, { type: 'run-invalid', evidence }],
      INITIAL_STATE,
      { maxExploreAttempts: 1, maxRepairAttempts: 0 },
    );
    expect(state).toMatchObject({
      name: 'failed',
      code: 'rejected',
      message: expect.stringContaining('repairs are disabled'),
    });
  });

  it('returns the valid output but reports nothing saved when compare-and-set loses', () => {
    const { state } = play([
      { type: 'leased' },
      { type: 'bundle-loaded', bundle: v1 },
      { type: 'run-invalid', evidence },
      { type: 'candidate', candidate },
      { type: 'run-valid', output: ['x'] },
      { type: 'save-conflict', latestVersion: 3 },
    ]);
    expect(state).toMatchObject({
      name: 'succeeded',
      output: ['x'],
      version: 3,
      flags: { used: true, created: false, updated: false },
    });
    expect(state).not.toHaveProperty('savedVersion');
  });

  it.each<[string, ReuseEvent[]]>([
    ['queued', []],
    ['loading', [{ type: 'leased' }]],
    ['running-saved', [{ type: 'leased' }, { type: 'bundle-loaded', bundle: v1 }]],
    ['authoring', [{ type: 'leased' }, { type: 'bundle-loaded', bundle: undefined }]],
    [
      'running-candidate',
      [{ type: 'leased' }, { type: 'bundle-loaded', bundle: undefined }, { type: 'candidate', candidate }],
    ],
  ])('a timeout in state %s ends the task as failed/timeout', (name, events) => {
    const { state } = play(events);
    expect(state.name).toBe(name);
    const step = transition(
      state,
      { type: 'fatal', code: 'timeout', message: 'Task exceeded 600 s' },
      budget,
    );
    expect(step).toEqual({ state: { name: 'failed', code: 'timeout', message: 'Task exceeded 600 s' } });
  });

  it('ends with no-ai-credits-left when the agent cannot call the model', () => {
    const { state } = play([
      { type: 'leased' },
      { type: 'bundle-loaded', bundle: v1 },
      { type: 'run-invalid', evidence },
      { type: 'fatal', code: 'no-ai-credits-left', message: 'No AI credits left' },
    ]);
    expect(state).toMatchObject({ name: 'failed', code: 'no-ai-credits-left' });
  });

  it('passes the agent giving up through as the failure', () => {
    const { state } = play([
      { type: 'leased' },
      { type: 'bundle-loaded', bundle: undefined },
      { type: 'agent-gave-up', code: 'rejected', message: 'The site requires a login' },
    ]);
    expect(state).toEqual({ name: 'failed', code: 'rejected', message: 'The site requires a login' });
  });

  it('treats out-of-order events as internal errors and ignores events after the end', () => {
    const wrong = transition(INITIAL_STATE, { type: 'run-valid', output: 1 }, budget);
    expect(wrong.state).toMatchObject({ name: 'failed', code: 'internal-error' });
    const after = transition(wrong.state, { type: 'leased' }, budget);
    expect(after).toEqual({ state: wrong.state });
  });
});
