import { toWebTasksError } from '../errors.js';
import type { BundleRef, FailureEvidence } from '../reuse/state-machine.js';
import type { AuthorResult } from './agent.js';
import type { ToolContext } from './agent-tool.js';
import { exploreMessage, repairMessage, secretsMessage } from './prompts.js';

/**
 * The first message of the conversation: the repair brief (the saved code and why it failed),
 * or the task with the start page already open and outlined. A start page that cannot be
 * opened ends the round: the agent could not do better.
 */
export async function openingMessage(
  context: ToolContext,
  round: { mode: 'explore' | 'repair'; base?: BundleRef; evidence?: FailureEvidence },
): Promise<{ kind: 'text'; text: string } | Extract<AuthorResult, { kind: 'gave-up' }>> {
  const { options, signal } = context;
  const { mode, base, evidence } = round;
  const task = options.task;
  let text: string;
  if (mode === 'repair' && base && evidence) {
    text = repairMessage({
      task: task.task,
      ...(task.startUrl ? { startUrl: task.startUrl } : {}),
      parameters: task.parameters,
      outputSchema: base.outputSchema,
      source: base.source,
      version: base.version,
      evidence,
    });
  } else {
    let initialSnapshot: string | undefined;
    if (task.startUrl) {
      try {
        const page = await context.browser(signal);
        await page.execute({
          command: { target: 'page', op: 'goto', args: [task.startUrl] },
          ...(signal ? { signal } : {}),
        });
        initialSnapshot = await context.snapshotText(signal);
      } catch (error) {
        const wrapped = toWebTasksError(error);
        if (
          wrapped.code === 'policy-denied' ||
          wrapped.code === 'page-error' ||
          wrapped.code === 'site-unreachable' ||
          wrapped.code === 'proxy-error'
        ) {
          return {
            kind: 'gave-up',
            code: 'rejected',
            message: `Could not open the start URL ${task.startUrl}: ${wrapped.message}`,
          };
        }
        throw wrapped;
      }
    }
    text = exploreMessage({
      task: task.task,
      ...(task.startUrl ? { startUrl: task.startUrl } : {}),
      parameters: task.parameters,
      ...(task.outputSchema !== undefined ? { outputSchema: task.outputSchema } : {}),
      ...(initialSnapshot ? { initialSnapshot } : {}),
    });
  }
  if (options.deps.taskSecrets?.names.length) text += `\n${secretsMessage(options.deps.taskSecrets.names)}`;
  return { kind: 'text', text };
}
