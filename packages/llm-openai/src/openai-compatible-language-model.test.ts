import type { GenerateOptions, ToolDefinition, WebTasksError } from '@webtasks/core';
import { type FakeOpenAIServer, fakeReply, startFakeOpenAIServer } from '@webtasks/test-suite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOpenAICompatibleLanguageModel,
  type OpenAICompatibleLanguageModelOptions,
} from './openai-compatible-language-model.js';

let server: FakeOpenAIServer;
beforeEach(async () => {
  server = await startFakeOpenAIServer({ models: ['qwen3-coder', 'llama-4'] });
});
afterEach(() => server.close());

function model(overrides: Partial<OpenAICompatibleLanguageModelOptions> = {}) {
  return createOpenAICompatibleLanguageModel({
    baseURL: server.baseUrl,
    apiKey: server.apiKey ?? undefined,
    models: 'qwen3-coder',
    retry: { initialDelayMs: 1, maxDelayMs: 5_000 },
    ...overrides,
  });
}

const TOOLS: ToolDefinition[] = [
  { name: 'observe', description: 'Snapshot the page.', inputSchema: { type: 'object', properties: {} } },
];
const call = (overrides: Partial<GenerateOptions> = {}): GenerateOptions => ({
  model: 'haiku',
  system: [{ text: 'You write Playwright code.', cache: true }, { text: 'Task: collect.' }],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Go.' }] }],
  ...overrides,
});
const body = (index = -1) => server.requests.at(index)?.body as any;
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as WebTasksError,
  );

describe('createOpenAICompatibleLanguageModel', () => {
  it('sends the key as a Bearer token, and no Authorization header without a key', async () => {
    server.script(fakeReply.text('ok'));
    await model().generate(call());
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${server.apiKey}`);
    const open = await startFakeOpenAIServer({
      apiKey: null,
      models: ['qwen3-coder'],
      script: fakeReply.text('ok'),
    });
    try {
      await model({ baseURL: open.baseUrl, apiKey: undefined }).generate(call());
      expect(open.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it('maps a wrong key to model-auth naming the apiKey option', async () => {
    const error = await caught(model({ apiKey: 'sk-wrong-key-0000' }).generate(call()));
    expect(error.code).toBe('model-auth');
    expect(error.message).toContain('`apiKey` option');
    expect(server.requestCount).toBe(1);
  });

  it('requires a baseURL ending in /v1', () => {
    expect(() => model({ baseURL: 'http://localhost:8000' })).toThrow(
      /must be an http\(s\) URL ending in \/v1/,
    );
    expect(() => model({ baseURL: 'http://localhost:8000/v1/' })).not.toThrow();
  });

  it('maps every alias to one model id given as a string, and concrete ids pass through', async () => {
    server.script([fakeReply.text('a'), fakeReply.text('b')]);
    const llm = model();
    expect((await llm.generate(call({ model: 'opus' }))).modelId).toBe('qwen3-coder');
    expect((await llm.generate(call({ model: 'llama-4' }))).modelId).toBe('llama-4');
  });

  it('maps a model the server does not serve to model-not-found naming the alias setting', async () => {
    const llm = model({ models: { haiku: 'qwen3-coder', sonnet: 'qwen3-coder', opus: 'gpt-oss-999b' } });
    const error = await caught(llm.generate(call({ model: 'opus' })));
    expect(error.code).toBe('model-not-found');
    expect(error.message).toContain('"gpt-oss-999b"');
    expect(error.message).toContain('`models.opus`');
  });

  it('joins the system blocks into one system message', async () => {
    server.script(fakeReply.text('ok'));
    await model().generate(call());
    expect(body().messages[0]).toEqual({
      role: 'system',
      content: 'You write Playwright code.\n\nTask: collect.',
    });
    expect(body().messages[1]).toEqual({ role: 'user', content: 'Go.' });
  });

  it('sends tool results as tool messages before the user text, marking failures', async () => {
    server.script([fakeReply.toolCall('observe', {}, { id: 'call_x' }), fakeReply.text('done')]);
    const llm = model();
    const first = await llm.generate(call({ tools: TOOLS }));
    await llm.generate(
      call({
        tools: TOOLS,
        messages: [
          ...call().messages,
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Careful.' },
              { type: 'tool-result', toolCallId: 'call_x', content: 'timeout', isError: true },
            ],
          },
        ],
      }),
    );
    expect(body().messages.slice(2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'observe', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_x', content: '[tool error] timeout' },
      { role: 'user', content: 'Careful.' },
    ]);
    expect(body().tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'observe',
          description: 'Snapshot the page.',
          parameters: { type: 'object', properties: {} },
        },
      },
    ]);
  });

  it('turns malformed tool-call arguments into a retryable model-error without retrying itself', async () => {
    server.script(fakeReply.toolCalls([{ name: 'observe', input: {}, rawArguments: '{"selector": "#a"' }]));
    const error = await caught(model().generate(call({ tools: TOOLS })));
    expect(error.code).toBe('model-error');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('tool "observe"');
    expect(error.details).toMatchObject({ toolName: 'observe', arguments: '{"selector": "#a"' });
    expect(server.requestCount).toBe(1);
  });

  it('reads empty arguments as an empty input', async () => {
    server.script(fakeReply.toolCalls([{ name: 'observe', input: {}, rawArguments: '' }]));
    const result = await model().generate(call({ tools: TOOLS }));
    expect(result.content).toMatchObject([{ type: 'tool-call', name: 'observe', input: {} }]);
  });

  it('counts cached prompt tokens apart from uncached input', async () => {
    server.script([fakeReply.text('a'), fakeReply.text('b')]);
    const llm = model();
    const system = [{ text: 'Long stable prompt. '.repeat(60) }];
    const first = await llm.generate(call({ system }));
    const second = await llm.generate(
      call({ system, messages: [{ role: 'user', content: [{ type: 'text', text: 'Next.' }] }] }),
    );
    expect(first.usage.cacheReadTokens).toBe(0);
    expect(second.usage.cacheReadTokens).toBeGreaterThan(250);
    expect(second.usage.inputTokens).toBeLessThan(first.usage.inputTokens);
    expect(second.usage.cacheWriteTokens).toBe(0);
  });

  it('sends images as base64 data URLs', async () => {
    server.script(fakeReply.text('ok'));
    await model().generate(
      call({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look' },
              { type: 'image', mediaType: 'image/jpeg', data: 'AAAA' },
            ],
          },
        ],
      }),
    );
    expect(body().messages[1].content).toEqual([
      { type: 'text', text: 'Look' },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA' } },
    ]);
  });

  it('honours retry-after and keeps the request id', async () => {
    server.script([fakeReply.error('rate-limit', { retryAfterSeconds: 1 }), fakeReply.text('ok')]);
    const result = await model().generate(call());
    expect(server.requests[1]!.receivedAt - server.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(result.requestId).toMatch(/^req_/);
  });

  it('reports a server that is down as model-unavailable', async () => {
    const down = await startFakeOpenAIServer();
    const baseURL = down.baseUrl;
    await down.close();
    const error = await caught(model({ baseURL, maxRetries: 1 }).generate(call()));
    expect(error.code).toBe('model-unavailable');
    expect(error.message).toContain('Check that the server is running');
  });
});
