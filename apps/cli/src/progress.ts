import type { TaskEvent } from '@webtasks/core';

/** Where text goes (process.stderr, or a buffer in tests). */
export interface Writer {
  write(text: string): unknown;
}

/** What the progress printer knows before the task starts. */
export interface ProgressContext {
  reuseKey?: string;
  /** The saved version the run will load, when known. */
  savedVersion?: number;
  /** ANSI colours (a TTY without NO_COLOR). */
  color: boolean;
  /** Milliseconds since start; injected in tests. */
  now?: () => number;
}

/** Model spend seen so far. */
export interface ProgressTotals {
  modelCalls: number;
  aiUsd: number;
  savedVersion: number | undefined;
  /** The message of the last failed run of code, for hints after a failure. */
  lastRunError: string | undefined;
}

/** Formats USD with four decimals: `$0.0123`. */
export function usd(amount: number): string {
  return `$${amount.toFixed(4)}`;
}

const PHASES: Record<Extract<TaskEvent, { type: 'phase' }>['phase'], string> = {
  loading: 'loading saved code',
  'running-saved': 'running saved code',
  exploring: 'exploring the site with the model',
  repairing: 'saved code failed: repairing it with the model',
  'running-candidate': "running the agent's code in a fresh browser",
  validating: 'validating the output',
  saving: 'saving the new version',
};

/**
 * Live progress of one task on stderr: state changes, phases, agent steps, attempts, model
 * calls with their running cost, and the logs of the code. Returns the listener and the totals.
 */
export function createProgressPrinter(
  out: Writer,
  context: ProgressContext,
): { onEvent: (event: TaskEvent) => void; totals: ProgressTotals } {
  const started = Date.now();
  const now = context.now ?? (() => Date.now() - started);
  const paint = (code: string, text: string) => (context.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const dim = (text: string) => paint('2', text);
  const totals: ProgressTotals = {
    modelCalls: 0,
    aiUsd: 0,
    savedVersion: undefined,
    lastRunError: undefined,
  };
  const line = (text: string) => {
    const seconds = (now() / 1000).toFixed(1).padStart(5);
    out.write(`${dim(`[${seconds}s]`)} ${text}\n`);
  };

  const onEvent = (event: TaskEvent): void => {
    switch (event.type) {
      case 'status':
        if (event.status === 'pending')
          line(`queued ${event.webTaskId}${context.reuseKey ? ` (reuse key ${context.reuseKey})` : ''}`);
        else if (event.status === 'started') line('started');
        else
          line(
            event.outcome === 'success'
              ? paint('32', 'completed: success')
              : paint('31', 'completed: failed'),
          );
        return;
      case 'phase': {
        const version =
          event.phase === 'running-saved' && context.savedVersion ? ` v${context.savedVersion}` : '';
        line(`${PHASES[event.phase]}${version}`);
        return;
      }
      case 'attempt':
        line(`attempt ${event.attempt}/${event.of} (${event.kind})`);
        return;
      case 'agent-step':
        line(
          `  step ${event.turn}: ${event.tool}${event.summary ? ` ${dim(oneLine(event.summary, 160))}` : ''}`,
        );
        return;
      case 'run-result':
        if (!event.ok) totals.lastRunError = event.message;
        line(event.ok ? paint('32', `✓ ${event.message}`) : paint('33', `✗ ${oneLine(event.message, 300)}`));
        return;
      case 'log':
        line(`  ${dim(`log ${event.level}:`)} ${oneLine(event.message, 500)}`);
        return;
      case 'cost':
        totals.modelCalls = event.modelCalls;
        totals.aiUsd = event.aiUsd;
        line(`  model call ${event.modelCalls} ${dim(`(total ${usd(event.aiUsd)})`)}`);
        return;
      case 'saved':
        totals.savedVersion = event.version;
        line(paint('32', `saved ${event.reuseKey} v${event.version}`));
        return;
      case 'replay':
        line(event.ok ? dim(`  ✓ ${event.message}`) : paint('33', `  ✗ ${oneLine(event.message, 300)}`));
        return;
    }
  };
  return { onEvent, totals };
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
