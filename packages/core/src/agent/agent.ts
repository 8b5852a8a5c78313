import { checkJsonSchema } from '@webtasks/protocol';
import type { TaskEvent } from '../engine-api.js';
import { isFatalError, toWebTasksError } from '../errors.js';
import type { BrowserSession, LocatorStep } from '../ports/browser.js';
import type { JsonObject, JsonSchema, JsonValue } from '../ports/common.js';
import type { ModelMessage, TextPart, ToolCallPart, ToolResultPart } from '../ports/language-model.js';
import { checkProposedParamsSchema } from '../promotion/params-check.js';
import type { BundleRef, Candidate, FailureEvidence } from '../reuse/state-machine.js';
import type { MeteredModel } from '../run/metered-model.js';
import { type CodeRunnerDeps, compileSource } from '../run/run-code.js';
import { createRunHost } from '../run/sandbox-host.js';
import {
  AGENT_SYSTEM_PROMPT,
  exploreMessage,
  repairMessage,
  retryMessage,
  secretsMessage,
} from './prompts.js';
import { AGENT_TOOLS } from './tools.js';

/** Limits of one task's agent. */
export interface AgentBudget {
  /** Model calls across all attempts of the task. */
  maxTurns: number;
  /** Input + output tokens across all attempts. */
  maxTokens: number;
  /** Output tokens per model call. */
  maxOutputTokensPerTurn: number;
  /** Longest tool result text handed to the model, in characters. */
  maxObservationChars: number;
}

export const DEFAULT_AGENT_BUDGET: AgentBudget = {
  maxTurns: 40,
  maxTokens: 2_000_000,
  maxOutputTokensPerTurn: 8192,
  maxObservationChars: 24_000,
};

/** The task as the agent sees it. */
export interface AgentTask {
  task: string;
  startUrl?: string;
  parameters: JsonObject;
  /** The caller's schema; absent → the agent proposes one. */
  outputSchema?: JsonSchema;
}

/** Options of one task's agent. */
export interface AgentOptions {
  deps: CodeRunnerDeps;
  task: AgentTask;
  workspaceId: string;
  webTaskId: string;
  model: MeteredModel;
  modelName: string;
  budget?: Partial<AgentBudget>;
  maxAttempts: { explore: number; repair: number };
  emit?: (event: TaskEvent) => void;
}

/** What one authoring round produced. */
export type AuthorResult =
  | { kind: 'candidate'; candidate: Candidate }
  | { kind: 'gave-up'; code: 'rejected' | 'internal-error'; message: string };

/** The agent of one task: keeps its browser and conversation across attempts. */
export interface Agent {
  author(options: {
    mode: 'explore' | 'repair';
    attempt: number;
    base?: BundleRef;
    evidence?: FailureEvidence;
    signal?: AbortSignal;
  }): Promise<AuthorResult>;
  close(): Promise<void>;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n… (${text.length - max} more characters cut)`;
}

/** Create the agent for one task. */
export function createAgent(options: AgentOptions): Agent {
  const budget = { ...DEFAULT_AGENT_BUDGET, ...options.budget };
  const { deps } = options;
  const messages: ModelMessage[] = [];
  let session: BrowserSession | undefined;
  let turns = 0;
  let pending: ToolResultPart[] = [];
  let pendingSubmitId: string | undefined;
  const emitStep = (tool: string, summary: string, input: string, isError: boolean) =>
    options.emit?.({
      type: 'agent-step',
      webTaskId: options.webTaskId,
      turn: turns,
      tool,
      summary: summary.slice(0, 200),
      input: input.slice(0, 200),
      isError,
    });

  async function browser(signal?: AbortSignal): Promise<BrowserSession> {
    session ??= await deps.browser.openSession({
      ...(deps.egress ? { egress: deps.egress } : {}),
      ...(deps.proxy ? { proxy: deps.proxy } : {}),
      ...(signal ? { signal } : {}),
    });
    return session;
  }

  async function snapshotText(signal?: AbortSignal): Promise<string> {
    const page = await browser(signal);
    const snap = await page.observe(signal ? { signal } : {});
    return truncate(`URL: ${snap.url}\nTitle: ${snap.title}\n\n${snap.text}`, budget.maxObservationChars);
  }

  async function runTool(
    call: ToolCallPart,
    signal?: AbortSignal,
  ): Promise<{ text: string; isError?: boolean; submit?: Candidate; giveUp?: string }> {
    const input = call.input;
    const opts = signal ? { signal } : {};
    switch (call.name) {
      case 'navigate': {
        if (typeof input.url !== 'string') return { text: 'navigate needs a url string', isError: true };
        const page = await browser(signal);
        await page.execute({ command: { target: 'page', op: 'goto', args: [input.url] }, ...opts });
        return { text: await snapshotText(signal) };
      }
      case 'observe':
        return { text: await snapshotText(signal) };
      case 'act': {
        const page = await browser(signal);
        const action = String(input.action);
        if (action === 'scroll') {
          await page.execute({
            command: { target: 'page', op: 'mouse.wheel', args: [0, Number(input.value ?? 800)] },
            ...opts,
          });
          return { text: await snapshotText(signal) };
        }
        const locator: LocatorStep[] | undefined =
          typeof input.ref === 'string'
            ? [{ kind: 'ref', ref: input.ref }]
            : typeof input.selector === 'string'
              ? [{ kind: 'locator', selector: input.selector }, { kind: 'first' }]
              : undefined;
        if (!locator) return { text: 'act needs a ref or a selector', isError: true };
        const value = typeof input.value === 'string' ? input.value : '';
        const ops: Record<
          string,
          { op: 'click' | 'fill' | 'selectOption' | 'check' | 'press' | 'hover'; args: JsonValue[] }
        > = {
          click: { op: 'click', args: [] },
          fill: { op: 'fill', args: [value] },
          select: { op: 'selectOption', args: [value] },
          check: { op: 'check', args: [] },
          press: { op: 'press', args: [value] },
          hover: { op: 'hover', args: [] },
        };
        const op = ops[action];
        if (!op) return { text: `unknown action ${action}`, isError: true };
        await page.execute({ command: { target: 'locator', op: op.op, locator, args: op.args }, ...opts });
        return { text: await snapshotText(signal) };
      }
      case 'try_code': {
        if (typeof input.source !== 'string')
          return { text: 'try_code needs a source string', isError: true };
        const compiled = await compileSource(deps, input.source, signal);
        if (!compiled.ok) return { text: compiled.message, isError: true };
        const page = await browser(signal);
        const host = createRunHost({
          session: page,
          blobs: deps.blobs,
          workspaceId: options.workspaceId,
          webTaskId: options.webTaskId,
          ids: deps.ids,
          model: options.model,
          modelName: options.modelName,
          validator: deps.validator,
          ...(deps.taskSecrets ? { secrets: deps.taskSecrets } : {}),
        });
        const params = (
          typeof input.params === 'object' && input.params !== null ? input.params : options.task.parameters
        ) as JsonObject;
        const result = await deps.sandbox.run({
          code: compiled.javascript,
          params,
          host,
          ...(deps.sandboxLimits ? { limits: deps.sandboxLimits } : {}),
          ...opts,
        });
        // A fatal host-call error (credits spent, bad configuration) ends the task: the model
        // cannot fix it, however the code caught it.
        if (host.fatalError) throw host.fatalError;
        const logs = result.logs
          .slice(-20)
          .map((l) => `[${l.level}] ${l.message}`)
          .join('\n');
        if (!result.ok) {
          return {
            text: truncate(
              `Error (${result.error.kind}): ${result.error.message}\n${logs}`,
              budget.maxObservationChars,
            ),
            isError: true,
          };
        }
        const schema = options.task.outputSchema;
        const check = schema === undefined ? undefined : deps.validator.validate(schema, result.output);
        const verdict =
          check === undefined
            ? ''
            : check.ok
              ? 'The output matches the output schema.\n'
              : `${check.message}\n`;
        return {
          text: truncate(
            `${verdict}Output:\n${JSON.stringify(result.output, null, 2)}\n${logs}`,
            budget.maxObservationChars,
          ),
        };
      }
      case 'submit': {
        if (typeof input.source !== 'string') return { text: 'submit needs a source string', isError: true };
        let schema = options.task.outputSchema;
        if (schema === undefined) {
          if (input.outputSchema === undefined) {
            return {
              text: 'The task has no output schema: submit again with outputSchema (a JSON Schema for the output).',
              isError: true,
            };
          }
          const check = checkJsonSchema(input.outputSchema);
          if (!check.ok)
            return {
              text: `outputSchema is not a valid JSON Schema 2020-12: ${check.message}`,
              isError: true,
            };
          schema = input.outputSchema as JsonSchema;
        }
        let paramsSchema: JsonSchema | undefined;
        if (input.paramsSchema !== undefined) {
          const checked = checkProposedParamsSchema(input.paramsSchema, options.task.parameters);
          if (!checked.ok) return { text: checked.message, isError: true };
          paramsSchema = input.paramsSchema as JsonSchema;
        }
        const compiled = await compileSource(deps, input.source, signal);
        if (!compiled.ok) return { text: compiled.message, isError: true };
        return {
          text: '',
          submit: { source: input.source, outputSchema: schema, ...(paramsSchema ? { paramsSchema } : {}) },
        };
      }
      case 'give_up':
        return { text: 'ok', giveUp: typeof input.reason === 'string' ? input.reason : 'The agent gave up.' };
      default:
        return {
          text: `Unknown tool ${call.name}. Use one of: ${AGENT_TOOLS.map((t) => t.name).join(', ')}.`,
          isError: true,
        };
    }
  }

  function pushUser(content: Array<TextPart | ToolResultPart>): void {
    messages.push({ role: 'user', content: [...pending, ...content] });
    pending = [];
  }

  return {
    async author({ mode, attempt, base, evidence, signal }) {
      const maxAttempts = mode === 'explore' ? options.maxAttempts.explore : options.maxAttempts.repair;
      if (pendingSubmitId && evidence) {
        pending.push({
          type: 'tool-result',
          toolCallId: pendingSubmitId,
          content: retryMessage(evidence, attempt, maxAttempts),
          isError: true,
        });
        pendingSubmitId = undefined;
        pushUser([]);
      } else if (messages.length === 0) {
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
              const page = await browser(signal);
              await page.execute({
                command: { target: 'page', op: 'goto', args: [task.startUrl] },
                ...(signal ? { signal } : {}),
              });
              initialSnapshot = await snapshotText(signal);
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
        if (options.deps.taskSecrets?.names.length)
          text += `\n${secretsMessage(options.deps.taskSecrets.names)}`;
        pushUser([{ type: 'text', text }]);
      }

      let nudges = 0;
      for (;;) {
        if (turns >= budget.maxTurns) {
          return {
            kind: 'gave-up',
            code: 'rejected',
            message: `The agent used its ${budget.maxTurns} turns without producing working code.`,
          };
        }
        const spent = options.model.spend.usage;
        if (
          spent.inputTokens + spent.outputTokens + spent.cacheReadTokens + spent.cacheWriteTokens >=
          budget.maxTokens
        ) {
          return {
            kind: 'gave-up',
            code: 'rejected',
            message: `The agent used its token budget (${budget.maxTokens}) without producing working code.`,
          };
        }
        turns += 1;
        const reply = await options.model.generate({
          model: options.modelName,
          system: [{ text: AGENT_SYSTEM_PROMPT, cache: true }],
          messages,
          tools: AGENT_TOOLS,
          maxOutputTokens: budget.maxOutputTokensPerTurn,
          ...(signal ? { signal } : {}),
        });
        messages.push({ role: 'assistant', content: reply.content });
        const calls = reply.content.filter((p): p is ToolCallPart => p.type === 'tool-call');
        if (calls.length === 0) {
          if (reply.stopReason === 'refusal')
            return { kind: 'gave-up', code: 'rejected', message: 'The model refused the task.' };
          nudges += 1;
          if (nudges > 3)
            return {
              kind: 'gave-up',
              code: 'rejected',
              message: 'The agent stopped calling tools without submitting code.',
            };
          pushUser([
            {
              type: 'text',
              text: 'Continue by calling a tool. When the program works, call submit; if the task is impossible, call give_up.',
            },
          ]);
          continue;
        }
        let submitted: Candidate | undefined;
        for (const call of calls) {
          if (submitted) {
            pending.push({
              type: 'tool-result',
              toolCallId: call.id,
              content: 'Skipped: a program was submitted first.',
              isError: true,
            });
            continue;
          }
          let result: Awaited<ReturnType<typeof runTool>>;
          try {
            result = await runTool(call, signal);
          } catch (error) {
            const wrapped = toWebTasksError(error);
            if (isFatalError(wrapped)) throw wrapped;
            result = { text: `${wrapped.code}: ${wrapped.message}`, isError: true };
          }
          emitStep(
            call.name,
            result.isError
              ? `error: ${result.text}`
              : call.name === 'navigate'
                ? String(call.input.url)
                : (result.text.split('\n')[0] ?? ''),
            summarizeInput(call.input),
            result.isError === true,
          );
          if (result.giveUp) return { kind: 'gave-up', code: 'rejected', message: result.giveUp };
          if (result.submit) {
            submitted = result.submit;
            pendingSubmitId = call.id;
            continue;
          }
          pending.push({
            type: 'tool-result',
            toolCallId: call.id,
            content: result.text,
            ...(result.isError ? { isError: true } : {}),
          });
        }
        if (submitted) return { kind: 'candidate', candidate: submitted };
        pushUser([]);
      }
    },
    async close() {
      const current = session;
      session = undefined;
      await current?.close().catch(() => undefined);
    },
  };
}

/** One line of a tool call's input, for the run record: its fields, each cut short. */
function summarizeInput(input: Record<string, unknown>): string {
  return Object.entries(input)
    .map(([name, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const line = (text ?? '').split('\n')[0] ?? '';
      return `${name}=${line.length > 60 ? `${line.slice(0, 60)}…` : line}`;
    })
    .join(' ');
}
