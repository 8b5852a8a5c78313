import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from './__fixtures__/test-server.js';
import { WebTasksClient } from './client.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const frame = (seq: number, type = 'log') =>
  `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, at: new Date().toISOString(), event: { type, message: `line ${seq}` } })}\n\n`;

describe('webTasks.events', () => {
  it('resumes a dropped stream after the last event (Last-Event-ID) and ends with the result', async () => {
    const server = await startTestServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (request.headers['last-event-id'] === undefined) {
        response.write(frame(1) + frame(2));
        setTimeout(() => response.destroy(), 20);
        return;
      }
      const after = Number(request.headers['last-event-id']);
      // A resumed stream may repeat an event; the client drops what it already has.
      response.write(frame(after) + frame(after + 1));
      response.end(`event: result\ndata: ${JSON.stringify({ webTaskId: 'wt_1', status: 'completed' })}\n\n`);
    });
    close = server.close;
    const client = new WebTasksClient({
      apiKey: 'k',
      workspaceId: 'ws',
      baseUrl: server.url,
      retryBackoff: { baseDelayMs: 10 },
    });
    const seen: string[] = [];
    for await (const item of client.webTasks.events('wt_1'))
      seen.push(item.type === 'event' ? String(item.entry.seq) : item.type);
    expect(seen).toEqual(['1', '2', '3', 'result']);
    expect(server.requests.map((request) => request.headers['last-event-id'])).toEqual([undefined, '2']);
    expect(server.requests[0]?.headers.accept).toBe('text/event-stream');
    expect(server.requests[0]?.headers['x-api-key']).toBe('k');
    expect(server.requests[0]?.url).toBe('/ws/web-tasks/wt_1/events');
  });

  it('rejects with the API error when the server answers 404 (no retry)', async () => {
    const server = await startTestServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: { code: 'not-found', message: 'No web task wt_x in this workspace.' } }),
      );
    });
    close = server.close;
    const client = new WebTasksClient({ apiKey: 'k', workspaceId: 'ws', baseUrl: server.url });
    const iterate = async () => {
      for await (const _item of client.webTasks.events('wt_x')) void _item;
    };
    await expect(iterate()).rejects.toMatchObject({ status: 404, code: 'not-found' });
    expect(server.requests).toHaveLength(1);
  });
});
