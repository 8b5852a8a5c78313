import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import {
  type JsonObject,
  type Logger,
  silentLogger,
  type WebTasksEngine,
  WebTasksError,
} from '@webtasks/core';
import { createArgumentChecker, describeProblems } from './argument-check.js';
import { type AutomationSnapshot, createAutomationCatalog } from './automation-catalog.js';
import { callFixedTool, FIXED_TOOLS } from './fixed-tools.js';
import type { CallContext } from './run-task.js';
import { runTask } from './run-task.js';
import { automationToolResult, toolError } from './tool-results.js';
import type { ObjectSchema } from './tool-schemas.js';

/** Options of `createWebTasksMcpServer`. */
export interface WebTasksMcpServerOptions {
  /** The engine tasks run on (`createWebTasks(...)` of `@webtasks/core`). */
  engine: WebTasksEngine;
  /** The workspace whose saved automations become tools and where tasks run. */
  workspaceId: string;
  /** Server name told to clients. Default `webtasks`. */
  name?: string;
  /** Server version told to clients. Default `0.0.0`. */
  version?: string;
  /**
   * How often to look for automations added, removed or repaired by other processes, in ms.
   * Default 5000; 0 turns it off (saves made through this engine are still noticed at once).
   */
  watchIntervalMs?: number;
  /** Longest a tool call waits for its task before answering "still running". Default 15 minutes. */
  runTimeoutMs?: number;
  logger?: Logger;
}

/** An MCP server over one workspace of a webtasks engine. */
export interface WebTasksMcpServer {
  /** The SDK's server (low level: the tool list changes with the workspace's saved automations). */
  readonly server: Server;
  /** Serve over a transport (stdio, Streamable HTTP, in-memory). */
  connect(transport: Transport): Promise<void>;
  /** Look for changed automations now; sends `notifications/tools/list_changed` when any changed. */
  refresh(): Promise<boolean>;
  /** Stop watching and close the connection. The engine stays open. */
  close(): Promise<void>;
}

const INSTRUCTIONS =
  'webtasks runs repeatable web tasks. Each saved automation of the workspace is a tool that runs its saved code with no model call; run_web_task describes a new job in plain language (the agent explores the site, writes code and saves it under reuseKey, and a new tool appears).';

/**
 * Saved automations as tools: `run_web_task`, `get_web_task_result`, `list_automations`,
 * and one tool per saved reuse key of the workspace, typed by its parameter and output schemas.
 */
export function createWebTasksMcpServer(options: WebTasksMcpServerOptions): WebTasksMcpServer {
  const { engine, workspaceId } = options;
  const logger = options.logger ?? silentLogger;
  const runTimeoutMs = options.runTimeoutMs ?? 15 * 60 * 1000;
  const catalog = createAutomationCatalog({ engine, workspaceId });
  const checker = createArgumentChecker();
  const server = new Server(
    { name: options.name ?? 'webtasks', version: options.version ?? '0.0.0' },
    { capabilities: { tools: { listChanged: true } }, instructions: INSTRUCTIONS },
  );
  /** Every automation tool name this server has listed, with its reuse key. */
  const listed = new Map<string, string>();
  let fingerprint: string | undefined;
  let connected = false;
  let closed = false;
  let refreshing: Promise<boolean> = Promise.resolve(false);

  const remember = (snapshot: AutomationSnapshot) => {
    for (const tool of snapshot.tools) listed.set(tool.name, tool.reuseKey);
    fingerprint = snapshot.fingerprint;
  };

  const refresh = (): Promise<boolean> => {
    // One at a time; a failed refresh must not stop the next ones.
    refreshing = refreshing
      .catch(() => false)
      .then(async () => {
        if (closed) return false;
        const snapshot = await catalog.load();
        const changed = fingerprint !== undefined && snapshot.fingerprint !== fingerprint;
        remember(snapshot);
        if (changed && connected) await server.sendToolListChanged();
        return changed;
      });
    return refreshing.catch((error: unknown) => {
      logger.warn('could not read the saved automations', { error: String(error) });
      return false;
    });
  };

  // A saved version is announced once its task has completed, so the new tool's input schema
  // can already be read from that task's parameters.
  const saving = new Set<string>();
  const unsubscribe = engine.subscribe((event) => {
    if (event.type === 'saved') saving.add(event.webTaskId);
    else if (event.type === 'status' && event.status === 'completed' && saving.delete(event.webTaskId)) {
      void refresh();
    }
  });
  const timer =
    (options.watchIntervalMs ?? 5000) > 0
      ? setInterval(() => void refresh(), options.watchIntervalMs ?? 5000)
      : undefined;
  timer?.unref?.();

  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
    const snapshot = await catalog.load(extra.signal);
    remember(snapshot);
    const automations: Tool[] = snapshot.tools.map((tool) => ({
      name: tool.name,
      title: `Saved automation ${tool.reuseKey}`,
      description: tool.description,
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
      annotations: { openWorldHint: true },
      _meta: {
        'webtasks/reuseKey': tool.reuseKey,
        'webtasks/version': tool.version,
        'webtasks/parameterSchemaSource': tool.parameterSchemaSource,
      },
    }));
    return { tools: [...FIXED_TOOLS, ...automations] };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const args = (request.params.arguments ?? {}) as JsonObject;
    const progressToken = extra._meta?.progressToken;
    const call: CallContext = {
      signal: extra.signal,
      ...(progressToken !== undefined ? { progressToken } : {}),
      sendProgress: (params) => extra.sendNotification({ method: 'notifications/progress', params }),
    };
    const fixed = FIXED_TOOLS.find((tool) => tool.name === name);
    try {
      if (fixed) {
        const problems = checker.check(fixed.inputSchema as ObjectSchema, args);
        if (problems.length > 0) return toolError(describeProblems(name, problems));
        return await callFixedTool(name, args, {
          engine,
          workspaceId,
          catalog,
          runTimeoutMs,
          call,
          logger,
          afterRun: () => void refresh(),
        });
      }
      // A name this server listed is resolved by reading its key alone; others need the list.
      const known = listed.get(name);
      const tool =
        known === undefined
          ? (await catalog.load(extra.signal)).byName.get(name)
          : await catalog.tool(name, known, extra.signal);
      if (!tool) {
        const reuseKey = listed.get(name);
        if (reuseKey === undefined) {
          throw new McpError(
            ErrorCode.InvalidParams,
            `Unknown tool "${name}": list the tools again (tools/list) to see the saved automations of workspace "${workspaceId}".`,
          );
        }
        void refresh();
        return toolError(
          `The saved automation "${reuseKey}" (tool ${name}) was deleted after the tool list was read, so there is nothing to run. List the tools again; run_web_task with reuseKey "${reuseKey}" explores the site and saves it anew.`,
        );
      }
      const problems = checker.check(tool.inputSchema, args);
      if (problems.length > 0) return toolError(describeProblems(name, problems));
      const result = await runTask({
        engine,
        workspaceId,
        request: {
          task: tool.task,
          ...(tool.startUrl ? { startUrl: tool.startUrl } : {}),
          parameters: args,
          reuseKey: tool.reuseKey,
        },
        timeoutMs: runTimeoutMs,
        call,
        onCancelFailed: (error) => logger.warn('could not cancel the task', { error: String(error) }),
      });
      void refresh();
      return automationToolResult(result);
    } catch (error) {
      if (error instanceof McpError) throw error;
      if (WebTasksError.isInstance(error)) return toolError(`${error.message} (code ${error.code})`);
      logger.error('tool call failed', { tool: name, error: String(error) });
      return toolError(`The tool failed unexpectedly: ${(error as Error).message ?? String(error)}`);
    }
  });

  server.oninitialized = () => {
    connected = true;
  };

  return {
    server,
    async connect(transport) {
      await server.connect(transport);
    },
    refresh,
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      unsubscribe();
      await server.close();
    },
  };
}
