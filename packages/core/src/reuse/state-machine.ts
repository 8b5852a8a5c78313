import type { TaskErrorCode } from '@webtasks/protocol';
import type { JsonSchema, JsonValue } from '../ports/common.js';
import type { TaskErrorCause } from '../ports/task-store.js';

/**
 * The reuse state machine of one task (DESIGN.md): pure `(state, event) → (state, effect)`.
 * It decides *what* happens next; the executor performs each effect with the ports and
 * feeds the outcome back as an event. No I/O, no clocks: every branch is unit-tested.
 */

/** A saved bundle as the machine sees it. */
export interface BundleRef {
  version: number;
  source: string;
  outputSchema: JsonSchema;
  /** JSON Schema of the parameters, when the version has one. */
  paramsSchema?: JsonSchema;
}

/** Code the agent produced and wants run. */
export interface Candidate {
  source: string;
  outputSchema: JsonSchema;
  /** JSON Schema of the parameters the agent proposed (absent: keep the saved one, if any). */
  paramsSchema?: JsonSchema;
}

/** What went wrong with a run, handed to the agent for the next attempt. */
export interface FailureEvidence {
  /** `threw`, `timeout`, `invalid-output`, `drift`, `compile-error`, … */
  kind: string;
  message: string;
  stack?: string;
  logs?: string[];
  /** A sample of the output when the code returned one. */
  outputSample?: JsonValue;
  /** Compact snapshot of the page where the run ended. */
  pageSnapshot?: string;
  pageUrl?: string;
  /** The URL the egress policy refused, when that is why the run failed. */
  blockedUrl?: string;
}

/** Budgets the machine enforces. */
export interface ReuseBudget {
  /** Candidates the agent may submit when exploring. */
  maxExploreAttempts: number;
  /** Candidates the agent may submit when repairing. */
  maxRepairAttempts: number;
}

/** Reuse flags reported on the result. */
export interface ReuseFlags {
  used: boolean;
  created: boolean;
  updated: boolean;
}

export type ReuseState =
  | { name: 'queued' }
  | { name: 'loading' }
  | { name: 'running-saved'; bundle: BundleRef }
  | { name: 'authoring'; mode: 'explore' | 'repair'; attempt: number; base?: BundleRef }
  | {
      name: 'running-candidate';
      mode: 'explore' | 'repair';
      attempt: number;
      base?: BundleRef;
      candidate: Candidate;
    }
  | { name: 'saving'; mode: 'explore' | 'repair'; base?: BundleRef; candidate: Candidate; output: JsonValue }
  | {
      name: 'succeeded';
      output: JsonValue;
      flags: ReuseFlags;
      version: number;
      outputSchema: JsonSchema;
      savedVersion?: number;
    }
  | { name: 'failed'; code: TaskErrorCode; message: string; causes?: TaskErrorCause[] };

export type ReuseEvent =
  /** Lock and workspace slot are held. */
  | { type: 'leased' }
  | { type: 'bundle-loaded'; bundle: BundleRef | undefined }
  | { type: 'run-valid'; output: JsonValue }
  | { type: 'run-invalid'; evidence: FailureEvidence }
  | { type: 'candidate'; candidate: Candidate }
  /** The agent stopped without code (refused, impossible, out of turns). */
  | { type: 'agent-gave-up'; code: TaskErrorCode; message: string }
  | { type: 'saved'; version: number }
  /** Compare-and-set lost: someone else saved first. */
  | { type: 'save-conflict'; latestVersion: number }
  /** Timeout, credits, policy, crash, infrastructure: ends the task. */
  | { type: 'fatal'; code: TaskErrorCode; message: string; causes?: TaskErrorCause[] };

export type ReuseEffect =
  | { type: 'load-bundle' }
  | { type: 'run'; code: Candidate | BundleRef; saved: boolean }
  | {
      type: 'author';
      mode: 'explore' | 'repair';
      attempt: number;
      base?: BundleRef;
      evidence?: FailureEvidence;
    }
  | {
      type: 'save';
      candidate: Candidate;
      expectedVersion: number;
      mode: 'explore' | 'repair';
      parentVersion?: number;
    };

/** A transition's result. `effect` is absent in terminal states. */
export interface Transition {
  state: ReuseState;
  effect?: ReuseEffect;
}

const NO_FLAGS: ReuseFlags = { used: false, created: false, updated: false };

/** Flags of a failed task: nothing was used, created or updated. */
export const FAILED_FLAGS: Readonly<ReuseFlags> = NO_FLAGS;

/** True for `succeeded` and `failed`. */
export function isTerminal(
  state: ReuseState,
): state is Extract<ReuseState, { name: 'succeeded' | 'failed' }> {
  return state.name === 'succeeded' || state.name === 'failed';
}

function fail(code: TaskErrorCode, message: string, causes?: TaskErrorCause[]): Transition {
  return { state: { name: 'failed', code, message, ...(causes ? { causes } : {}) } };
}

function unexpected(state: ReuseState, event: ReuseEvent): Transition {
  return fail(
    'internal-error',
    `Internal state error: event "${event.type}" is not expected in state "${state.name}"`,
  );
}

function author(
  mode: 'explore' | 'repair',
  attempt: number,
  base: BundleRef | undefined,
  evidence?: FailureEvidence,
): Transition {
  return {
    state: { name: 'authoring', mode, attempt, ...(base ? { base } : {}) },
    effect: { type: 'author', mode, attempt, ...(base ? { base } : {}), ...(evidence ? { evidence } : {}) },
  };
}

/** The state a task starts in, and its first effect once leased. */
export const INITIAL_STATE: ReuseState = { name: 'queued' };

/** Apply one event. */
export function transition(state: ReuseState, event: ReuseEvent, budget: ReuseBudget): Transition {
  if (isTerminal(state)) return { state };
  if (event.type === 'fatal') return fail(event.code, event.message, event.causes);

  switch (state.name) {
    case 'queued':
      if (event.type !== 'leased') return unexpected(state, event);
      return { state: { name: 'loading' }, effect: { type: 'load-bundle' } };

    case 'loading':
      if (event.type !== 'bundle-loaded') return unexpected(state, event);
      if (event.bundle) {
        return {
          state: { name: 'running-saved', bundle: event.bundle },
          effect: { type: 'run', code: event.bundle, saved: true },
        };
      }
      return author('explore', 1, undefined);

    case 'running-saved':
      if (event.type === 'run-valid') {
        return {
          state: {
            name: 'succeeded',
            output: event.output,
            flags: { used: true, created: false, updated: false },
            version: state.bundle.version,
            outputSchema: state.bundle.outputSchema,
          },
        };
      }
      if (event.type === 'run-invalid') {
        if (budget.maxRepairAttempts < 1) {
          return fail(
            'rejected',
            `The saved code failed and repairs are disabled: ${event.evidence.message}`,
          );
        }
        return author('repair', 1, state.bundle, event.evidence);
      }
      return unexpected(state, event);

    case 'authoring':
      if (event.type === 'candidate') {
        return {
          state: {
            name: 'running-candidate',
            mode: state.mode,
            attempt: state.attempt,
            ...(state.base ? { base: state.base } : {}),
            candidate: event.candidate,
          },
          effect: { type: 'run', code: event.candidate, saved: false },
        };
      }
      if (event.type === 'agent-gave-up') return fail(event.code, event.message);
      return unexpected(state, event);

    case 'running-candidate': {
      if (event.type === 'run-valid') {
        const expectedVersion = state.base?.version ?? 0;
        return {
          state: {
            name: 'saving',
            mode: state.mode,
            ...(state.base ? { base: state.base } : {}),
            candidate: state.candidate,
            output: event.output,
          },
          effect: {
            type: 'save',
            candidate: state.candidate,
            expectedVersion,
            mode: state.mode,
            ...(state.base ? { parentVersion: state.base.version } : {}),
          },
        };
      }
      if (event.type === 'run-invalid') {
        const max = state.mode === 'explore' ? budget.maxExploreAttempts : budget.maxRepairAttempts;
        if (state.attempt >= max) {
          const what = state.mode === 'explore' ? 'write working code' : 'repair the saved code';
          return fail(
            'rejected',
            `The agent could not ${what} in ${max} attempt${max === 1 ? '' : 's'}. Last error: ${event.evidence.message}`,
          );
        }
        return author(state.mode, state.attempt + 1, state.base, event.evidence);
      }
      return unexpected(state, event);
    }

    case 'saving': {
      const used = state.mode === 'repair';
      if (event.type === 'saved') {
        return {
          state: {
            name: 'succeeded',
            output: state.output,
            flags: { used, created: !used, updated: true },
            version: event.version,
            outputSchema: state.candidate.outputSchema,
            savedVersion: event.version,
          },
        };
      }
      if (event.type === 'save-conflict') {
        // The output is valid, so the caller still gets it; the code is not saved because
        // another run saved a newer version first (a lock broke). Nothing is overwritten.
        return {
          state: {
            name: 'succeeded',
            output: state.output,
            flags: { used, created: false, updated: false },
            version: event.latestVersion,
            outputSchema: state.candidate.outputSchema,
          },
        };
      }
      return unexpected(state, event);
    }
  }
}
