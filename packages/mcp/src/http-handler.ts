import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { type Logger, silentLogger } from '@webtasks/core';
import { createAutomationCatalog } from './automation-catalog.js';
import {
  createWebTasksMcpServer,
  type WebTasksMcpServer,
  type WebTasksMcpServerOptions,
} from './create-webtasks-mcp-server.js';

/** Options of `createWebTasksMcpHttpHandler`. */
export interface WebTasksMcpHttpHandlerOptions extends Omit<WebTasksMcpServerOptions, 'workspaceId'> {
  /** Close a session after this long without a request. Default 1 hour. */
  idleTimeoutMs?: number;
  /** Most open sessions; a new one beyond it closes the least recently used. Default 1000. */
  maxSessions?: number;
}

/** Streamable HTTP for MCP: one session per client, each bound to the workspace that opened it. */
export interface WebTasksMcpHttpHandler {
  /**
   * Handle one HTTP request (POST, GET or DELETE) of an authenticated caller of `workspaceId`.
   * `body` is the parsed JSON body of a POST.
   */
  handle(options: {
    req: IncomingMessage;
    res: ServerResponse;
    body: unknown;
    workspaceId: string;
  }): Promise<void>;
  /** Open sessions. */
  readonly sessionCount: number;
  /** Close every session. */
  close(): Promise<void>;
}

interface Session {
  workspaceId: string;
  transport: StreamableHTTPServerTransport;
  mcp: WebTasksMcpServer;
  lastSeen: number;
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * Serve `createWebTasksMcpServer` over Streamable HTTP with sessions, so a client keeps one
 * server (and its `list_changed` notifications on the GET stream) across requests. A session
 * is bound to the workspace of the key that opened it; another workspace's key gets 404.
 */
export function createWebTasksMcpHttpHandler(options: WebTasksMcpHttpHandlerOptions): WebTasksMcpHttpHandler {
  const logger: Logger = options.logger ?? silentLogger;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60 * 60 * 1000;
  const maxSessions = options.maxSessions ?? 1000;
  const sessions = new Map<string, Session>();

  // One poll per workspace with open sessions (not one per session): when its automations
  // change, every session of the workspace refreshes and tells its client.
  const watchIntervalMs = options.watchIntervalMs ?? 5000;
  const watchers = new Map<string, { stop: () => void }>();

  const watch = (workspaceId: string) => {
    if (watchIntervalMs <= 0 || watchers.has(workspaceId)) return;
    const catalog = createAutomationCatalog({ engine: options.engine, workspaceId });
    let fingerprint: string | undefined;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      catalog
        .load()
        .then(async (snapshot) => {
          const changed = fingerprint !== undefined && fingerprint !== snapshot.fingerprint;
          fingerprint = snapshot.fingerprint;
          if (!changed) return;
          for (const session of sessions.values()) {
            if (session.workspaceId === workspaceId) await session.mcp.refresh();
          }
        })
        .catch((error: unknown) =>
          logger.warn('could not read the saved automations', { error: String(error) }),
        )
        .finally(() => {
          busy = false;
        });
    }, watchIntervalMs);
    timer.unref?.();
    watchers.set(workspaceId, { stop: () => clearInterval(timer) });
  };

  const closeSession = async (sessionId: string) => {
    const session = sessions.get(sessionId);
    if (!session) return;
    sessions.delete(sessionId);
    if (![...sessions.values()].some((other) => other.workspaceId === session.workspaceId)) {
      watchers.get(session.workspaceId)?.stop();
      watchers.delete(session.workspaceId);
    }
    await session.mcp.close().catch(() => undefined);
  };

  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const [id, session] of sessions) if (now - session.lastSeen > idleTimeoutMs) void closeSession(id);
    },
    Math.min(idleTimeoutMs, 60_000),
  );
  sweeper.unref?.();

  async function open(
    workspaceId: string,
  ): Promise<{ transport: StreamableHTTPServerTransport; mcp: WebTasksMcpServer }> {
    if (sessions.size >= maxSessions) {
      const oldest = [...sessions.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0];
      if (oldest) await closeSession(oldest[0]);
    }
    const { idleTimeoutMs: _idle, maxSessions: _max, watchIntervalMs: _watch, ...serverOptions } = options;
    const mcp = createWebTasksMcpServer({ ...serverOptions, workspaceId, watchIntervalMs: 0 });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, { workspaceId, transport, mcp, lastSeen: Date.now() });
        watch(workspaceId);
      },
      onsessionclosed: (sessionId) => {
        void closeSession(sessionId);
      },
    });
    transport.onerror = (error) => logger.warn('MCP transport error', { error: String(error) });
    await mcp.connect(transport);
    return { transport, mcp };
  }

  return {
    async handle({ req, res, body, workspaceId }) {
      const header = req.headers['mcp-session-id'];
      const sessionId = Array.isArray(header) ? header[0] : header;
      if (sessionId !== undefined) {
        const session = sessions.get(sessionId);
        if (!session || session.workspaceId !== workspaceId) {
          rpcError(
            res,
            404,
            -32001,
            'Session not found: it ended or belongs to another workspace. Initialize a new session.',
          );
          return;
        }
        session.lastSeen = Date.now();
        await session.transport.handleRequest(req, res, body);
        return;
      }
      if (req.method === 'POST' && isInitializeRequest(body)) {
        const { transport, mcp } = await open(workspaceId);
        await transport.handleRequest(req, res, body);
        // An initialize the transport refused opened no session: drop its server.
        if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await mcp.close();
        return;
      }
      rpcError(
        res,
        400,
        -32000,
        'No Mcp-Session-Id header: start with an initialize request, then send the session id it returns.',
      );
    },
    get sessionCount() {
      return sessions.size;
    },
    async close() {
      clearInterval(sweeper);
      for (const watcher of watchers.values()) watcher.stop();
      watchers.clear();
      await Promise.all([...sessions.keys()].map((id) => closeSession(id)));
    },
  };
}
