import type { TaskEvent } from '@webtasks/core';

const PHASES: Record<Extract<TaskEvent, { type: 'phase' }>['phase'], string> = {
  loading: 'loading the saved code',
  'running-saved': 'running the saved code',
  exploring: 'exploring the site with the model',
  repairing: 'repairing the saved code with the model',
  'running-candidate': 'running the new code',
  validating: 'checking the output',
  saving: 'saving the code',
};

/** A progress line for a task event, or undefined for events not worth a notification (cost ticks, debug logs). */
export function progressMessage(event: TaskEvent): string | undefined {
  switch (event.type) {
    case 'status':
      if (event.status === 'pending') return `accepted as ${event.webTaskId}`;
      return event.status === 'completed' ? `completed (${event.outcome ?? 'failed'})` : event.status;
    case 'phase':
      return PHASES[event.phase];
    case 'attempt':
      return `${event.kind} attempt ${event.attempt} of ${event.of}`;
    case 'agent-step':
      return `step ${event.turn}: ${event.tool}${event.summary ? ` — ${event.summary}` : ''}`;
    case 'run-result':
      return event.ok ? 'the output is valid' : `the run failed: ${event.message}`;
    case 'log':
      return event.level === 'warn' || event.level === 'error'
        ? `log ${event.level}: ${event.message}`
        : undefined;
    case 'saved':
      return `saved version ${event.version} of ${event.reuseKey}`;
    default:
      // Cost ticks, and kinds added later until they get a line here.
      return undefined;
  }
}
