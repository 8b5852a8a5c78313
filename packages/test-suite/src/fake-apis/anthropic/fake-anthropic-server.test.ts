import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../script.js';
import { type FakeAnthropicServer, startFakeAnthropicServer } from './fake-anthropic-server.js';

let server: FakeAnthropicServer;
beforeEach(async () => {
  server = await startFakeAnthropicServer({ apiKey: 'sk-ant-right' });
});
afterEach(() => server.close());

async function post(body: unknown, headers: Record<string, string> = { 'x-api-key': 'sk-ant-right' }) {
  const response = await fetch(`${server.baseUrl}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const hello = { model: 'claude-haiku-5-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] };
const toolTurn = (id: string) => [
  { role: 'user', content: 'go' },
  {
    role: 'assistant',
    content: [{ type: 'tool_use', id, name: 'navigate', input: { url: 'https://a.test' } }],
  },
];

describe('fake Anthropic Messages API', () => {
  it('answers a scripted text reply with a real message body and a request-id header', async () => {
    server.script(fakeReply.text('Hi there'));
    const { status, headers, body } = await post(hello);
    expect(status).toBe(200);
    expect(headers.get('request-id')).toMatch(/^req_/);
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-5-5',
      content: [{ type: 'text', text: 'Hi there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(body.id).toMatch(/^msg_/);
    expect(Object.keys(body.usage)).toEqual(
      expect.arrayContaining([
        'input_tokens',
        'output_tokens',
        'cache_creation_input_tokens',
        'cache_read_input_tokens',
      ]),
    );
    expect(body.usage.input_tokens).toBeGreaterThan(0);
  });

  it('answers tool calls with tool_use blocks and stop_reason tool_use', async () => {
    server.script(fakeReply.toolCall('navigate', { url: 'https://a.test' }, { id: 'toolu_fixed' }));
    const { body } = await post({
      ...hello,
      tools: [{ name: 'navigate', description: 'go', input_schema: { type: 'object' } }],
    });
    expect(body.content).toEqual([
      { type: 'tool_use', id: 'toolu_fixed', name: 'navigate', input: { url: 'https://a.test' } },
    ]);
    expect(body.stop_reason).toBe('tool_use');
  });

  it('accepts the key as x-api-key or Bearer, and rejects a wrong or missing key with 401', async () => {
    server.script([fakeReply.text('a'), fakeReply.text('b')]);
    expect((await post(hello, { 'x-api-key': 'sk-ant-right' })).status).toBe(200);
    expect((await post(hello, { authorization: 'Bearer sk-ant-right' })).status).toBe(200);
    const wrong = await post(hello, { 'x-api-key': 'sk-ant-wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect((await post(hello, {})).status).toBe(401);
  });

  it('rejects unknown models with 404 not_found_error', async () => {
    const { status, body } = await post({ ...hello, model: 'claude-nope-1' });
    expect(status).toBe(404);
    expect(body.error).toEqual({ type: 'not_found_error', message: 'model: claude-nope-1' });
  });

  it.each([
    [
      'missing max_tokens',
      { model: 'claude-haiku-5-5', messages: [{ role: 'user', content: 'x' }] },
      /max_tokens/,
    ],
    [
      'two user turns in a row',
      {
        ...hello,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 'b' },
        ],
      },
      /alternate/,
    ],
    [
      'a tool_use without its tool_result',
      { ...hello, messages: [...toolTurn('toolu_1'), { role: 'user', content: 'ok' }] },
      /without `tool_result`/,
    ],
    [
      'a tool_result for an unknown tool_use',
      {
        ...hello,
        messages: [
          ...toolTurn('toolu_1'),
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: 'x' },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: 'y' },
            ],
          },
        ],
      },
      /unexpected `tool_use_id`/,
    ],
    [
      'an empty text block',
      { ...hello, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] },
      /non-empty/,
    ],
  ])('rejects %s with 400 invalid_request_error', async (_title, body, message) => {
    server.script(fakeReply.text('never sent'));
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.error.type).toBe('invalid_request_error');
    expect(response.body.error.message).toMatch(message);
  });

  it('accepts a tool_use / tool_result pair and shows it in the request view', async () => {
    server.script(fakeReply.text('done'));
    const result = { type: 'tool_result', tool_use_id: 'toolu_1', content: 'loaded', is_error: true };
    const { status } = await post({
      ...hello,
      messages: [...toolTurn('toolu_1'), { role: 'user', content: [result] }],
    });
    expect(status).toBe(200);
    expect(server.requests[0]?.view?.messages[2]?.toolResults).toEqual([
      { toolCallId: 'toolu_1', content: 'loaded', isError: true },
    ]);
  });

  it('fails the next requests with scripted errors, retry-after included, then answers', async () => {
    server.script([fakeReply.error('overloaded', { times: 2, retryAfterSeconds: 3 }), fakeReply.text('ok')]);
    const first = await post(hello);
    expect(first.status).toBe(529);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.body.error.type).toBe('overloaded_error');
    expect((await post(hello)).status).toBe(529);
    expect((await post(hello)).body.content[0].text).toBe('ok');
    expect(server.requestCount).toBe(3);
  });

  it('says so when the script is exhausted', async () => {
    const { status, body } = await post(hello);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/no scripted reply left/);
  });

  it('answers from a script function that sees the request', async () => {
    server.script((request) => fakeReply.text(`you said ${request.messages.at(-1)?.text}`));
    expect((await post(hello)).body.content[0].text).toBe('you said Hello');
  });

  it('writes the prefix up to cache_control to the cache, then reads it on the next request', async () => {
    server.script([fakeReply.text('one'), fakeReply.text('two'), fakeReply.text('three')]);
    const system = [
      { type: 'text', text: 'You are a careful agent. '.repeat(40), cache_control: { type: 'ephemeral' } },
    ];
    const first = (await post({ ...hello, system })).body.usage;
    const second = (
      await post({ ...hello, system, messages: [{ role: 'user', content: 'Another question' }] })
    ).body.usage;
    expect(first.cache_creation_input_tokens).toBeGreaterThan(200);
    expect(first.cache_read_input_tokens).toBe(0);
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(second.cache_creation_input_tokens).toBe(0);
    const uncachedSystem = [{ type: 'text', text: 'Different prompt' }];
    const third = (await post({ ...hello, system: uncachedSystem })).body.usage;
    expect(third).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('rejects stream: true (only non-streaming is supported)', async () => {
    const { status, body } = await post({ ...hello, stream: true });
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/stream/);
  });
});
