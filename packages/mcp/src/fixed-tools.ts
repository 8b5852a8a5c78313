import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject, Logger, WebTasksEngine } from '@webtasks/core';
import type { StartRequest } from '@webtasks/protocol';
import type { AutomationCatalog } from './automation-catalog.js';
import { type CallContext, runTask } from './run-task.js';
import { webTaskToolResult } from './tool-results.js';
import {
  GET_RESULT_INPUT,
  LIST_AUTOMATIONS_INPUT,
  LIST_AUTOMATIONS_OUTPUT,
  RUN_WEB_TASK_INPUT,
  WEB_TASK_RESULT_OUTPUT,
} from './tool-schemas.js';

/** The tools every webtasks MCP server offers, whatever is saved. */
export const FIXED_TOOLS: Tool[] = [
  {
    name: 'run_web_task',
    title: 'Run a web task',
    description:
      'Do a job on a website, described in plain language. With a reuseKey that has saved code, that code runs with no model call; otherwise the agent explores the site in a real browser, writes code, checks its output and saves it under the reuseKey, which then becomes a tool of its own. Returns the web task result object.',
    inputSchema: RUN_WEB_TASK_INPUT,
    outputSchema: WEB_TASK_RESULT_OUTPUT,
    annotations: { openWorldHint: true },
  },
  {
    name: 'get_web_task_result',
    title: 'Get a web task result',
    description:
      'The result object of a web task by its webTaskId, optionally waiting (waitSeconds) until it completes.',
    inputSchema: GET_RESULT_INPUT,
    outputSchema: WEB_TASK_RESULT_OUTPUT,
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: 'list_automations',
    title: 'List saved automations',
    description:
      'The saved automations (reuse keys) of this workspace: the tool name of each, its latest version, the task it was written for and its start URL.',
    inputSchema: LIST_AUTOMATIONS_INPUT,
    outputSchema: LIST_AUTOMATIONS_OUTPUT,
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
];

/** What the fixed tools work with. */
export interface FixedToolContext {
  engine: WebTasksEngine;
  workspaceId: string;
  catalog: AutomationCatalog;
  runTimeoutMs: number;
  call: CallContext;
  logger: Logger;
  /** Called after a run (it may have saved a new automation). */
  afterRun: () => void;
}

/** Call a fixed tool with arguments already checked against its input schema. */
export async function callFixedTool(
  name: string,
  args: JsonObject,
  ctx: FixedToolContext,
): Promise<CallToolResult> {
  const { engine, workspaceId } = ctx;
  switch (name) {
    case 'run_web_task': {
      const result = await runTask({
        engine,
        workspaceId,
        request: args as StartRequest,
        timeoutMs: ctx.runTimeoutMs,
        call: ctx.call,
        onCancelFailed: (error) => ctx.logger.warn('could not cancel the task', { error: String(error) }),
      });
      ctx.afterRun();
      return webTaskToolResult(result);
    }
    case 'get_web_task_result': {
      const webTaskId = args.webTaskId as string;
      const waitSeconds = typeof args.waitSeconds === 'number' ? args.waitSeconds : 0;
      const result =
        waitSeconds > 0
          ? await engine.wait({
              workspaceId,
              webTaskId,
              timeoutMs: waitSeconds * 1000,
              signal: ctx.call.signal,
            })
          : await engine.result({ workspaceId, webTaskId, signal: ctx.call.signal });
      return webTaskToolResult(result);
    }
    case 'list_automations': {
      const prefix = typeof args.prefix === 'string' ? args.prefix : '';
      const snapshot = await ctx.catalog.load(ctx.call.signal);
      const automations = snapshot.tools
        .filter((tool) => tool.reuseKey.startsWith(prefix))
        .map((tool) => ({
          reuseKey: tool.reuseKey,
          toolName: tool.name,
          version: tool.version,
          task: tool.task,
          ...(tool.startUrl ? { startUrl: tool.startUrl } : {}),
          savedAt: tool.savedAt,
        }));
      const text =
        automations.length === 0
          ? `No saved automations in workspace "${workspaceId}" yet: run_web_task with a reuseKey saves one.`
          : automations.map((a) => `${a.toolName} (${a.reuseKey} v${a.version}): ${a.task}`).join('\n');
      return { content: [{ type: 'text', text }], structuredContent: { automations } };
    }
    default:
      throw new Error(`not a fixed tool: ${name}`);
  }
}
