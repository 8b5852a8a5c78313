import type { GenerateOptions, ToolDefinition } from '@webtasks/core';
import { expect } from 'vitest';
import { fakeReply } from '../../fake-apis/script.js';
import type { HarnessTest } from './harness.js';

/** A 1×1 transparent PNG. */
export const TINY_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export const NAVIGATE_TOOL: ToolDefinition = {
  name: 'navigate',
  description: 'Open a URL in the browser.',
  inputSchema: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
};

/** A minimal valid call. */
export function basicCall(overrides: Partial<GenerateOptions> = {}): GenerateOptions {
  return {
    model: 'haiku',
    system: [{ text: 'You are a terse test model.' }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    ...overrides,
  };
}

/** Contract tests about what a successful call sends and returns. */
export function registerReplyTests(test: HarnessTest): void {
  test('returns a plain text reply', async ({ model, script, lastRequest }) => {
    script(fakeReply.text('Hello from the model'));
    const result = await model.generate(basicCall());
    expect(result.content).toEqual([{ type: 'text', text: 'Hello from the model' }]);
    expect(result.stopReason).toBe('end');
    expect(lastRequest()?.messages.at(-1)).toMatchObject({ role: 'user', text: 'Say hello' });
  });

  test('resolves an alias to a concrete model id', async ({ model, script, lastRequest }) => {
    script(fakeReply.text('ok'));
    const result = await model.generate(basicCall({ model: 'sonnet' }));
    expect(typeof result.modelId).toBe('string');
    expect(result.modelId).not.toBe('sonnet');
    expect(result.modelId).not.toBe('');
    expect(lastRequest()?.model).toBe(result.modelId);
  });

  test('sends every system block, in order', async ({ model, script, lastRequest }) => {
    script(fakeReply.text('ok'));
    await model.generate(
      basicCall({ system: [{ text: 'First block.', cache: true }, { text: 'Second block.' }] }),
    );
    const system = lastRequest()?.system.join('\n') ?? '';
    expect(system.indexOf('First block.')).toBeGreaterThanOrEqual(0);
    expect(system.indexOf('Second block.')).toBeGreaterThan(system.indexOf('First block.'));
  });

  test('returns a tool call with parsed input and stopReason tool-calls', async ({
    model,
    script,
    lastRequest,
  }) => {
    script(fakeReply.toolCall('navigate', { url: 'https://example.test/a', options: { wait: true } }));
    const result = await model.generate(basicCall({ tools: [NAVIGATE_TOOL] }));
    expect(result.stopReason).toBe('tool-calls');
    const call = result.content.find((part) => part.type === 'tool-call');
    expect(call).toMatchObject({
      type: 'tool-call',
      name: 'navigate',
      input: { url: 'https://example.test/a', options: { wait: true } },
    });
    expect(call?.type === 'tool-call' && call.id.length > 0).toBe(true);
    expect(lastRequest()?.toolNames).toEqual(['navigate']);
  });

  test('sends tool results back in the next call', async ({ model, script, lastRequest }) => {
    script([
      fakeReply.toolCall('navigate', { url: 'https://example.test' }),
      fakeReply.text('The page is loaded.'),
    ]);
    const first = await model.generate(basicCall({ tools: [NAVIGATE_TOOL] }));
    const call = first.content.find((part) => part.type === 'tool-call');
    if (call?.type !== 'tool-call') throw new Error('expected a tool call');
    const second = await model.generate(
      basicCall({
        tools: [NAVIGATE_TOOL],
        messages: [
          ...basicCall().messages,
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              {
                type: 'tool-result',
                toolCallId: call.id,
                content: 'Navigation failed: timeout',
                isError: true,
              },
              { type: 'text', text: 'Try again.' },
            ],
          },
        ],
      }),
    );
    expect(second.content).toEqual([{ type: 'text', text: 'The page is loaded.' }]);
    const messages = lastRequest()?.messages ?? [];
    expect(messages.at(-2)?.toolCalls).toEqual([
      { id: call.id, name: 'navigate', input: { url: 'https://example.test' } },
    ]);
    expect(messages.at(-1)?.toolResults).toHaveLength(1);
    expect(messages.at(-1)?.toolResults[0]?.toolCallId).toBe(call.id);
    expect(messages.at(-1)?.toolResults[0]?.content).toContain('Navigation failed: timeout');
    expect(messages.at(-1)?.text).toContain('Try again.');
  });

  test('sends images', async ({ model, script, lastRequest }) => {
    script(fakeReply.text('I see a pixel.'));
    await model.generate(
      basicCall({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', mediaType: 'image/png', data: TINY_PNG },
            ],
          },
        ],
      }),
    );
    expect(lastRequest()?.messages.at(-1)?.imageCount).toBe(1);
  });

  test('reports usage exactly as the provider sent it', async ({ model, script }) => {
    script(
      fakeReply.text('ok', {
        usage: { inputTokens: 1234, outputTokens: 56, cacheReadTokens: 789, cacheWriteTokens: 0 },
      }),
    );
    const result = await model.generate(basicCall());
    expect(result.usage).toEqual({
      inputTokens: 1234,
      outputTokens: 56,
      cacheReadTokens: 789,
      cacheWriteTokens: 0,
    });
  });

  test('reports cache writes', async ({ model, script }) => {
    script(
      fakeReply.text('ok', {
        usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 4321 },
      }),
    );
    const result = await model.generate(basicCall({ system: [{ text: 'Stable prefix.', cache: true }] }));
    expect(result.usage.cacheWriteTokens).toBe(4321);
  });

  test('maps a truncated reply to stopReason max-tokens', async ({ model, script }) => {
    script(fakeReply.text('This answer was cut', { stopReason: 'max-tokens' }));
    const result = await model.generate(basicCall({ maxOutputTokens: 5 }));
    expect(result.stopReason).toBe('max-tokens');
    expect(result.content).toEqual([{ type: 'text', text: 'This answer was cut' }]);
  });
}
