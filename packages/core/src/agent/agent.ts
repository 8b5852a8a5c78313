import type { TaskEvent } from '../engine-api.js';
import { isFatalError, toWebTasksError } from '../errors.js';
import type { BrowserSession } from '../ports/browser.js';
import type { JsonObject, JsonSchema } from '../ports/common.js';
import type { ModelMessage, TextPart, ToolCallPart, ToolResultPart } from '../ports/language-model.js';
import type { BundleRef, Candidate, FailureEvidence } from '../reuse/state-machine.js';
import type { MeteredModel } from '../run/metered-model.js';
import type { CodeRunnerDeps } from '../run/run-code.js';
import { type ToolContext, type ToolOutcome, truncate } from './agent-tool.js';
import { openingMessage } from './opening-message.js';
import { AGENT_SYSTEM_PROMPT, retryMessage } from './prompts.js';
import { AGENT_TOOLS, runAgentTool } from './tools.js';

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

  function pushUser(content: Array<TextPart | ToolResultPart>): void {
    messages.push({ role: 'user', content: [...pending, ...content] });
    pending = [];
  }

  return {
    async author({ mode, attempt, base, evidence, signal }) {
      const context: ToolContext = { options, budget, browser, snapshotText, ...(signal ? { signal } : {}) };
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
        const opening = await openingMessage(context, {
          mode,
          ...(base ? { base } : {}),
          ...(evidence ? { evidence } : {}),
        });
        if (opening.kind === 'gave-up') return opening;
        pushUser([{ type: 'text', text: opening.text }]);
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
          let result: ToolOutcome;
          try {
            result = await runAgentTool(call, context);
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
