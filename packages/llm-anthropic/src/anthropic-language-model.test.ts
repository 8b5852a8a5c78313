import { type GenerateOptions, type ToolDefinition, WebTasksError } from '@webtasks/core';
import { type FakeAnthropicServer, fakeReply, startFakeAnthropicServer } from '@webtasks/test-suite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AnthropicLanguageModelOptions,
  createAnthropicLanguageModel,
} from './anthropic-language-model.js';

let server: FakeAnthropicServer;
beforeEach(async () => {
  server = await startFakeAnthropicServer();
});
afterEach(() => server.close());

function model(overrides: Partial<AnthropicLanguageModelOptions> = {}) {
  return createAnthropicLanguageModel({
    apiKey: server.apiKey,
    baseURL: server.baseUrl,
    retry: { initialDelayMs: 1, maxDelayMs: 5_000 },
    ...overrides,
  });
}

const TOOLS: ToolDefinition[] = [
  { name: 'observe', description: 'Snapshot the page.', inputSchema: { type: 'object', properties: {} } },
  {
    name: 'navigate',
    description: 'Open a URL.',
    inputSchema: { type: 'object', properties: { url: { type: 'string' } } },
  },
];
const call = (overrides: Partial<GenerateOptions> = {}): GenerateOptions => ({
  model: 'haiku',
  system: [{ text: 'You write Playwright code.' }],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Collect the companies.' }] }],
  ...overrides,
});
const body = (index = -1) => server.requests.at(index)?.body as any;
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as WebTasksError,
  );

describe('createAnthropicLanguageModel', () => {
  it('authenticates with the key as a Bearer token (SDK 1.14) and sends anthropic-version', async () => {
    server.script(fakeReply.text('ok'));
    await model().generate(call());
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${server.apiKey}`);
    expect(server.requests[0]?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('maps a wrong key to model-auth naming the setting, without retrying', async () => {
    const error = await caught(model({ apiKey: 'sk-ant-wrong' }).generate(call()));
    expect(error.code).toBe('model-auth');
    expect(error.message).toContain('ANTHROPIC_API_KEY / the `apiKey` option');
    expect(error.message).toContain('invalid x-api-key');
    expect(server.requestCount).toBe(1);
  });

  it('refuses to start without a key', () => {
    expect(() => createAnthropicLanguageModel({ apiKey: ' ' })).toThrow(/ANTHROPIC_API_KEY/);
  });

  it('maps aliases to the configured ids and passes concrete ids through', async () => {
    server.script([fakeReply.text('a'), fakeReply.text('b'), fakeReply.text('c')]);
    const custom = model({ models: { opus: 'claude-opus-4-8' } });
    expect((await custom.generate(call({ model: 'haiku' }))).modelId).toBe('claude-haiku-5-5');
    expect((await custom.generate(call({ model: 'opus' }))).modelId).toBe('claude-opus-4-8');
    expect((await custom.generate(call({ model: 'claude-sonnet-4-6' }))).modelId).toBe('claude-sonnet-4-6');
    expect(server.requests.map((request) => (request.body as any).model)).toEqual([
      'claude-haiku-5-5',
      'claude-opus-4-8',
      'claude-sonnet-4-6',
    ]);
  });

  it('maps an unknown configured id to model-not-found naming the models option', async () => {
    const error = await caught(
      model({ models: { sonnet: 'claude-sonnet-9-9' } }).generate(call({ model: 'sonnet' })),
    );
    expect(error.code).toBe('model-not-found');
    expect(error.message).toContain('claude-sonnet-9-9');
    expect(error.message).toContain('`models.sonnet`');
  });

  it('puts cache_control on cached system blocks, the last tool and the end of the conversation', async () => {
    server.script(fakeReply.text('ok'));
    await model().generate(
      call({ system: [{ text: 'Stable prompt.', cache: true }, { text: 'Task: collect.' }], tools: TOOLS }),
    );
    const sent = body();
    expect(sent.system).toEqual([
      { type: 'text', text: 'Stable prompt.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Task: collect.' },
    ]);
    expect(sent.tools.map((tool: any) => tool.cache_control)).toEqual([undefined, { type: 'ephemeral' }]);
    expect(sent.messages.at(-1).content.at(-1).cache_control).toEqual({ type: 'ephemeral' });
  });

  it('sends no cache_control when no system block asks for caching', async () => {
    server.script(fakeReply.text('ok'));
    await model().generate(call({ tools: TOOLS }));
    expect(JSON.stringify(body())).not.toContain('cache_control');
  });

  it('reads the cached prefix on the next turn of a conversation', async () => {
    server.script([fakeReply.toolCall('observe', {}), fakeReply.text('done')]);
    const llm = model();
    const system = [{ text: 'You write Playwright code. '.repeat(50), cache: true }];
    const first = await llm.generate(call({ system, tools: TOOLS }));
    const second = await llm.generate(
      call({
        system,
        tools: TOOLS,
        messages: [
          ...call().messages,
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              { type: 'tool-result', toolCallId: (first.content[0] as any).id, content: '<snapshot>' },
            ],
          },
        ],
      }),
    );
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(300);
    expect(first.usage.cacheReadTokens).toBe(0);
    expect(second.usage.cacheReadTokens).toBe(first.usage.cacheWriteTokens);
    expect(second.usage.cacheWriteTokens).toBeGreaterThan(0);
  });

  it('honours retry-after before retrying', async () => {
    server.script([fakeReply.error('rate-limit', { retryAfterSeconds: 1 }), fakeReply.text('ok')]);
    await model().generate(call());
    const [first, second] = server.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when retry-after is longer than retry.maxDelayMs', async () => {
    server.script([fakeReply.error('overloaded', { retryAfterSeconds: 120 }), fakeReply.text('never')]);
    const error = await caught(model().generate(call()));
    expect(error.code).toBe('model-unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('retry after 120 s');
    expect(error.details).toMatchObject({ attempts: 1, retryAfterMs: 120_000, status: 529 });
    expect(server.requestCount).toBe(1);
  });

  it('keeps the request id of answers and of errors', async () => {
    server.script([fakeReply.text('ok'), fakeReply.error('invalid-request', { message: 'bad' })]);
    const llm = model();
    expect((await llm.generate(call())).requestId).toMatch(/^req_/);
    const error = await caught(llm.generate(call()));
    expect(error.code).toBe('model-error');
    expect((error.details as { requestId?: string }).requestId).toMatch(/^req_/);
  });

  it('sends thinking blocks back with the tool calls they preceded', async () => {
    server.script([
      fakeReply.toolCall('observe', {}, { thinking: 'I should look first.' }),
      fakeReply.text('done'),
    ]);
    const llm = model();
    const first = await llm.generate(call({ tools: TOOLS }));
    expect(first.content.map((part) => part.type)).toEqual(['tool-call']);
    const toolCallId = (first.content[0] as any).id as string;
    await llm.generate(
      call({
        tools: TOOLS,
        messages: [
          ...call().messages,
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool-result', toolCallId, content: 'ok' }] },
        ],
      }),
    );
    const assistant = body().messages[1].content;
    expect(assistant[0]).toMatchObject({ type: 'thinking', thinking: 'I should look first.' });
    expect(assistant[0].signature).toMatch(/^sig_/);
    expect(assistant[1]).toMatchObject({ type: 'tool_use', id: toolCallId });
  });

  it('merges consecutive user messages and puts tool results first', async () => {
    server.script([fakeReply.toolCall('observe', {}, { id: 'toolu_a' }), fakeReply.text('done')]);
    const llm = model();
    const first = await llm.generate(call({ tools: TOOLS }));
    await llm.generate(
      call({
        tools: TOOLS,
        messages: [
          ...call().messages,
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'text', text: 'Note: the page is slow.' }] },
          {
            role: 'user',
            content: [{ type: 'tool-result', toolCallId: 'toolu_a', content: 'failed', isError: true }],
          },
        ],
      }),
    );
    expect(body().messages).toHaveLength(3);
    expect(body().messages[2].content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_a', content: 'failed', is_error: true },
      { type: 'text', text: 'Note: the page is slow.' },
    ]);
  });

  it('sends an empty tool result without content (the API rejects empty text)', async () => {
    server.script([fakeReply.toolCall('observe', {}, { id: 'toolu_e' }), fakeReply.text('done')]);
    const llm = model();
    const first = await llm.generate(call({ tools: TOOLS }));
    const next = [
      ...call().messages,
      { role: 'assistant' as const, content: first.content },
      {
        role: 'user' as const,
        content: [{ type: 'tool-result' as const, toolCallId: 'toolu_e', content: '' }],
      },
    ];
    expect((await llm.generate(call({ tools: TOOLS, messages: next }))).content).toEqual([
      { type: 'text', text: 'done' },
    ]);
    expect(body().messages[2].content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_e' }]);
  });

  it('sends max_tokens (default 16384) and temperature', async () => {
    server.script([fakeReply.text('a'), fakeReply.text('b')]);
    const llm = model();
    await llm.generate(call());
    await llm.generate(call({ maxOutputTokens: 1000, temperature: 0.2 }));
    expect(body(0)).toMatchObject({ max_tokens: 16_384 });
    expect(body(0).temperature).toBeUndefined();
    expect(body(1)).toMatchObject({ max_tokens: 1000, temperature: 0.2 });
  });

  it('rejects a call whose signal is aborted with its reason when it is a WebTasksError', async () => {
    const reason = new WebTasksError({ code: 'timeout', message: 'task timed out' });
    const error = await caught(model().generate(call({ signal: AbortSignal.abort(reason) })));
    expect(error).toBe(reason);
  });
});
