import { createServer } from 'node:http';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { WebTasksEngine } from '@webtasks/core';
import { createWebTasksMcpHttpHandler, createWebTasksMcpServer } from '@webtasks/mcp';

declare const engine: WebTasksEngine; // createWebTasks({ ... }) with your adapters

// Over stdio, for one workspace:
const mcp = createWebTasksMcpServer({ engine, workspaceId: 'acme' });
await mcp.connect(new StdioServerTransport());

// Or over Streamable HTTP, after your own authentication has found the workspace:
const mcpHttp = createWebTasksMcpHttpHandler({ engine });
createServer(async (req, res) => {
  const workspaceId = 'acme'; // from the caller's credentials
  let raw = '';
  for await (const chunk of req) raw += chunk;
  await mcpHttp.handle({ req, res, body: raw ? JSON.parse(raw) : undefined, workspaceId });
}).listen(8787);
