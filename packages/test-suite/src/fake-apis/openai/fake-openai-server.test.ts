import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../script.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './fake-openai-server.js';

let server: FakeOpenAIServer;
beforeEach(async () => {
  server = await startFakeOpenAIServer({ apiKey: 'sk-right' });
});
afterEach(() => server.close());

async function post(body: unknown, key: string | undefined = 'sk-right') {
  const response = await fetch(`${server.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const hello = {
  model: 'local-small',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hello' },
  ],
};

describe('fake OpenAI-compatible Chat Completions API', () => {
  it('answers text with choices[0].message, finish_reason stop and usage', async () => {
    server.script(fakeReply.text('Hi', { usage: { inputTokens: 10, cacheReadTokens: 4, outputTokens: 2 } }));
    const { status, headers, body } = await post(hello);
    expect(status).toBe(200);
    expect(headers.get('x-request-id')).toMatch(/^req_/);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'local-small',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 14,
        completion_tokens: 2,
        total_tokens: 16,
        prompt_tokens_details: { cached_tokens: 4 },
      },
    });
  });

  it('answers tool calls with JSON-string arguments and finish_reason tool_calls', async () => {
    server.script(fakeReply.toolCall('navigate', { url: 'https://a.test' }, { id: 'call_1' }));
    const { body } = await post({
      ...hello,
      tools: [{ type: 'function', function: { name: 'navigate', parameters: { type: 'object' } } }],
    });
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.content).toBeNull();
    expect(body.choices[0].message.tool_calls).toEqual([
      {
        id: 'call_1',
        type: 'function',
        function: { name: 'navigate', arguments: '{"url":"https://a.test"}' },
      },
    ]);
  });

  it('sends raw (even malformed) arguments when scripted', async () => {
    server.script(fakeReply.toolCalls([{ name: 'navigate', input: {}, rawArguments: '{"url": ' }]));
    const { body } = await post(hello);
    expect(body.choices[0].message.tool_calls[0].function.arguments).toBe('{"url": ');
  });

  it('rejects a wrong or missing Bearer key with 401 invalid_api_key', async () => {
    const wrong = await post(hello, 'sk-wrong-key-123');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    expect((await post(hello, '')).status).toBe(401);
  });

  it('accepts any request when started with apiKey null', async () => {
    const open = await startFakeOpenAIServer({ apiKey: null, script: fakeReply.text('ok') });
    try {
      const response = await fetch(`${open.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hello),
      });
      expect(response.status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('rejects unknown models with 404 model_not_found', async () => {
    const { status, body } = await post({ ...hello, model: 'gpt-nope' });
    expect(status).toBe(404);
    expect(body.error.code).toBe('model_not_found');
  });

  it('rejects tool calls that are not answered by tool messages', async () => {
    const assistant = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'x', arguments: '{}' } }],
    };
    const { status, body } = await post({
      ...hello,
      messages: [...hello.messages, assistant, { role: 'user', content: 'next' }],
    });
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/must be followed by tool messages/);
  });

  it('shows tool results in the request view as part of the next user turn', async () => {
    server.script(fakeReply.text('ok'));
    const assistant = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'x', arguments: '{}' } }],
    };
    const tool = { role: 'tool', tool_call_id: 'call_1', content: 'result text' };
    expect(
      (
        await post({
          ...hello,
          messages: [...hello.messages, assistant, tool, { role: 'user', content: 'and?' }],
        })
      ).status,
    ).toBe(200);
    expect(server.requests[0]?.view?.messages.at(-1)).toMatchObject({
      role: 'user',
      text: 'and?',
      toolResults: [{ toolCallId: 'call_1', content: 'result text' }],
    });
  });

  it('maps scripted errors to OpenAI statuses and counts requests', async () => {
    server.script([
      fakeReply.error('rate-limit', { retryAfterSeconds: 1 }),
      fakeReply.error('overloaded'),
      fakeReply.text('ok'),
    ]);
    const limited = await post(hello);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body.error.code).toBe('rate_limit_exceeded');
    expect((await post(hello)).status).toBe(503);
    expect((await post(hello)).status).toBe(200);
    expect(server.requestCount).toBe(3);
  });

  it('reports the repeated prefix as cached_tokens (automatic prefix caching)', async () => {
    server.script([fakeReply.text('a'), fakeReply.text('b')]);
    const system = { role: 'system', content: 'Long stable system prompt. '.repeat(40) };
    const first = (await post({ ...hello, messages: [system, { role: 'user', content: 'one' }] })).body.usage;
    const second = (await post({ ...hello, messages: [system, { role: 'user', content: 'two' }] })).body
      .usage;
    expect(first.prompt_tokens_details.cached_tokens).toBe(0);
    expect(second.prompt_tokens_details.cached_tokens).toBeGreaterThan(200);
    expect(second.prompt_tokens).toBeGreaterThan(second.prompt_tokens_details.cached_tokens);
  });
});
